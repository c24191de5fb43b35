import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

export interface GatewayProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** Bearer tokens printed in the start banner: the first per role, and every one with its user. */
  tokens: Record<string, string>;
  users: { role: string; userId: number; token: string }[];
  exited: Promise<number | null>;
}

/** Starts `src/main.ts` as its own process (what `npm start` runs) and waits for its banner. */
export async function spawnGateway(env: Record<string, string>, timeoutMs = 60_000, nodeArgs: string[] = []): Promise<GatewayProcess> {
  // node itself, not the tsx wrapper: a signal must reach the gateway, not a parent that leaves it running.
  // GATEWAY_NODE_ARGS: extra node flags for the gateway processes (e.g. --cpu-prof when profiling the bench).
  const extra = process.env.GATEWAY_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...extra, "--import", "tsx", ...nodeArgs, "src/main.ts"], { cwd: root, env: { ...process.env, PORT: "0", HOST: "127.0.0.1", SETTLEMENT_INTERVAL_MS: "0", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const deadline = Date.now() + timeoutMs;
  while (!/WebSocket: /.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`gateway did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 200));
  const url = /GraphiQL:\s+(\S+)/.exec(out)![1]!;
  const tokens: Record<string, string> = {};
  const users: { role: string; userId: number; token: string }[] = [];
  for (const match of out.matchAll(/^\s+([A-Z]+)\s+.*\(user (\d+)\)\n\s+\S+\?token=(\S+)/gm)) {
    tokens[match[1]!] ??= match[3]!;
    users.push({ role: match[1]!, userId: Number(match[2]), token: match[3]! });
  }
  return { child, url, output: () => out, tokens, users, exited };
}
