import autocannon from "autocannon";
import { addToHistogram, mintToken, workerChannel, type MsHistogram } from "./kit.js";

/**
 * The sellout's load generator, a process of its own: autocannon, one instance per target (the gateway processes,
 * or the floor's), the connections split evenly. Every attempt is a different buyer's first and only one: the
 * buyer's token is minted here (HS256, node:crypto) and the next buyer is taken when a request is built.
 */
export interface LoadRequest {
  type: "run";
  targets: string[];
  connections: number;
  buyerIds: number[];
  role: string;
  query: string;
  /** Variables of the attempt of the i-th buyer, with `{i}` replaced in string values. */
  variables: Record<string, unknown>;
}

export interface LoadResult {
  type: "done";
  attempts: number;
  ms: number;
  latency: MsHistogram;
  statuses: Record<string, number>;
  /** Reply codes: ACCEPTED, a userError code, an error's extensions.code, or NO_BODY. */
  outcomes: Record<string, number>;
  acceptedBuyerIds: number[];
  errors: number;
  timeouts: number;
  replyBytes: number;
}

const channel = workerChannel();

channel.on(async (message: LoadRequest) => {
  if (message.type !== "run") return;
  const { buyerIds, targets, connections } = message;
  const tokens = buyerIds.map((id) => mintToken(id, message.role));
  const template = JSON.stringify(message.variables);
  const latency: MsHistogram = {};
  const statuses: Record<string, number> = {};
  const outcomes: Record<string, number> = {};
  const acceptedBuyerIds: number[] = [];
  let next = 0;
  let errors = 0;
  let timeouts = 0;
  let replyBytes = 0;
  let replies = 0;
  const per = Math.floor(buyerIds.length / targets.length);
  const started = performance.now();
  // The run ends with its last reply: autocannon calls back only on its next sample tick (every second), which
  // rounded every run's time up to whole seconds (20,000 replies in 1.3 s measured as 2.06 s).
  let lastReply = started;
  await Promise.all(
    targets.map(
      (url, t) =>
        new Promise<void>((resolve, reject) => {
          const instance = autocannon(
            {
              url,
              method: "POST",
              connections: Math.floor(connections / targets.length),
              amount: t === targets.length - 1 ? buyerIds.length - per * t : per,
              timeout: 60,
              requests: [
                {
                  setupRequest: (req: any, context: any) => {
                    const i = next++;
                    context.buyer = i;
                    return {
                      ...req,
                      headers: { "content-type": "application/json", authorization: `Bearer ${tokens[i]}` },
                      body: `{"query":${JSON.stringify(message.query)},"variables":${template.replaceAll("{i}", String(i))}}`,
                    };
                  },
                  onResponse: (status: number, body: string, context: any) => {
                    statuses[status] = (statuses[status] ?? 0) + 1;
                    replyBytes += Buffer.byteLength(body);
                    replies++;
                    let outcome = "NO_BODY";
                    if (body.includes('"order":{"id"')) {
                      outcome = "ACCEPTED";
                      acceptedBuyerIds.push(buyerIds[context.buyer]!);
                    } else {
                      outcome = /"code":"(\w+)"/.exec(body)?.[1] ?? outcome;
                    }
                    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
                  },
                },
              ],
            },
            (error: Error | null) => (error ? reject(error) : resolve()),
          );
          instance.on("response", (_client: unknown, _status: number, _bytes: number, ms: number) => {
            lastReply = performance.now();
            addToHistogram(latency, ms);
          });
          instance.on("reqError", () => errors++);
          instance.on("timeout", () => timeouts++);
        }),
    ),
  );
  const result: LoadResult = {
    type: "done",
    attempts: next,
    ms: lastReply - started,
    latency,
    statuses,
    outcomes,
    acceptedBuyerIds,
    errors,
    timeouts,
    replyBytes: replies ? Math.round(replyBytes / replies) : 0,
  };
  channel.send(result);
});
channel.send({ type: "ready" });
