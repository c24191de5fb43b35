import WebSocket from "ws";

/** Untyped access to the gateway, for tests that send what no typed client would. */
export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  body: any;
}

export async function postRaw(url: string, body: unknown, options: { token?: string | null; headers?: Record<string, string>; raw?: boolean } = {}): Promise<RawResponse> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
    body: options.raw ? (body as string) : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

/** A graphql-transport-ws socket driven by hand: every message and the close code are recorded. */
export class RawSocket {
  readonly messages: any[] = [];
  readonly raw: string[] = [];
  closeCode: number | null = null;
  closeReason = "";
  readonly closed: Promise<number>;
  private waiters: (() => void)[] = [];

  constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => {
      const text = String(data);
      this.raw.push(text);
      try {
        this.messages.push(JSON.parse(text));
      } catch {
        this.messages.push(text);
      }
      this.wake();
    });
    this.closed = new Promise((resolve) =>
      socket.once("close", (code, reason) => {
        this.closeCode = code;
        this.closeReason = String(reason);
        this.wake();
        resolve(code);
      }),
    );
    socket.on("error", () => {});
  }

  /** `autoPong: false`: a client that never answers the server's pings (a vanished phone, a half-open connection). */
  static async open(url: string, options: { origin?: string; protocol?: string; autoPong?: boolean } = {}): Promise<RawSocket> {
    const socket = new WebSocket(url, options.protocol ?? "graphql-transport-ws", { ...(options.origin ? { origin: options.origin } : {}), autoPong: options.autoPong ?? true });
    const raw = new RawSocket(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
      socket.once("error", reject);
    });
    return raw;
  }

  /** Opens and acknowledges a connection, with a bearer token or none. */
  static async connect(url: string, token?: string | null, options: { origin?: string; autoPong?: boolean } = {}): Promise<RawSocket> {
    const raw = await RawSocket.open(url, options);
    raw.send({ type: "connection_init", payload: token ? { authorization: `Bearer ${token}` } : {} });
    await raw.until((m) => m.type === "connection_ack");
    return raw;
  }

  send(message: unknown): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  subscribe(id: string, query: string, variables?: Record<string, unknown>, extensions?: Record<string, unknown>): void {
    this.send({ id, type: "subscribe", payload: { query, variables, extensions } });
  }

  /** Waits for a message matching `predicate` (or for the close, when `predicate` is null). */
  async until(predicate: ((m: any) => boolean) | null, timeoutMs = 10_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = predicate ? this.messages.find(predicate) : undefined;
      if (found) return found;
      if (this.closeCode !== null) {
        if (!predicate) return null;
        throw new Error(`socket closed with ${this.closeCode} ${this.closeReason}; got ${JSON.stringify(this.messages)}`);
      }
      if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  /** The messages of one operation id. */
  of(id: string): any[] {
    return this.messages.filter((m) => m?.id === id);
  }

  close(): void {
    this.socket.close();
  }

  private wake() {
    this.waiters.splice(0).forEach((w) => w());
  }
}
