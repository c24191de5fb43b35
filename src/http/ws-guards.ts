import { performance } from "node:perf_hooks";

/** graphql-ws close codes we send ourselves (4403 and 4408 come from graphql-ws's own handshake too). */
export const WsClose = {
  /** The process holds WS_MAX_CONNECTIONS sockets already (RFC 6455's registered "Try Again Later"). */
  TRY_AGAIN_LATER: 1013,
  BAD_REQUEST: 4400,
  FORBIDDEN: 4403,
  TOO_MANY_MESSAGES: 4429,
  INTERNAL: 4500,
} as const;

export const MAX_FRAME_BYTES = 64 * 1024;

/**
 * Cross-site WebSocket hijacking guard. Browsers always send Origin; native apps and servers send none and
 * carry their token explicitly. Same-origin is always allowed (GraphiQL is served by the gateway itself);
 * other origins must be listed, except in the embedded default when the list is empty.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[], mode: "embedded" | "production"): boolean {
  if (!origin) return true;
  if (allowed.length === 0 && mode === "embedded") return true;
  if (allowed.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

const performanceNow = () => performance.now();

/** Per-connection token bucket of messages: `perSecond` a second, bursts of as many. Over it, the socket is closed. */
export class MessageRate {
  private tokens: number;
  private at: number;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = performanceNow,
  ) {
    this.tokens = perSecond;
    this.at = now();
  }

  allow(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.at) * this.perSecond) / 1000);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** Calls `expire` when a token's `exp` (seconds since the epoch) passes; long lifetimes re-arm past setTimeout's range. */
export function onTokenExpiry(expiresAtSeconds: number, expire: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const left = expiresAtSeconds * 1000 - Date.now();
    if (left <= 0) return expire();
    timer = setTimeout(arm, Math.min(left, MAX_TIMEOUT_MS));
  };
  arm();
  return () => clearTimeout(timer);
}
