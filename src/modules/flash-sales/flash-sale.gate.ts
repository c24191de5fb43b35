import type { RedisClientType } from "redis";

/**
 * The admission gate in front of the ledger: refuses attempts once a sale is sold out or a buyer's limit is
 * reached, so most refusals never touch Postgres. It is never the only guard: Postgres re-checks every unit.
 */
export type AdmitResult = "OK" | "SOLD_OUT" | "NOT_ENOUGH_UNITS" | "LIMIT_REACHED" | "DUPLICATE" | "NO_GATE";

export interface GateState {
  remaining: number;
  /** buyer id → units admitted or bought */
  buyers: Map<number, number>;
  /** idempotency fields ("buyer:key") admitted or bought */
  keys: Set<string>;
  /** When the gate may be forgotten (a day after the sale's end). */
  expiresAt: Date;
}

export interface AdmissionGate {
  admit(saleId: number, buyerId: number, idempotencyKey: string, quantity: number, perBuyerLimit: number): Promise<AdmitResult>;
  /** Gives admitted units back (the commit failed, or the ledger refused); `forgetKey` frees the idempotency key too. */
  release(saleId: number, buyerId: number, idempotencyKey: string, quantity: number, forgetKey: boolean): Promise<void>;
  /** Replaces the gate of a sale with the state read from the ledger. */
  load(saleId: number, state: GateState): Promise<void>;
  remaining(saleId: number): Promise<number | null>;
  drop(saleId: number): Promise<void>;
}

export const keyField = (buyerId: number, idempotencyKey: string) => `${buyerId}:${idempotencyKey}`;

export class InProcessGate implements AdmissionGate {
  private readonly gates = new Map<number, GateState>();

  async admit(saleId: number, buyerId: number, key: string, quantity: number, limit: number): Promise<AdmitResult> {
    const gate = this.gates.get(saleId);
    if (gate && gate.keys.has(keyField(buyerId, key))) return "DUPLICATE";
    if (!gate) return "NO_GATE";
    if (gate.remaining <= 0) return "SOLD_OUT";
    if (gate.remaining < quantity) return "NOT_ENOUGH_UNITS";
    const bought = gate.buyers.get(buyerId) ?? 0;
    if (bought + quantity > limit) return "LIMIT_REACHED";
    gate.remaining -= quantity;
    gate.buyers.set(buyerId, bought + quantity);
    gate.keys.add(keyField(buyerId, key));
    return "OK";
  }

  async release(saleId: number, buyerId: number, key: string, quantity: number, forgetKey: boolean): Promise<void> {
    const gate = this.gates.get(saleId);
    if (!gate) return;
    gate.remaining += quantity;
    gate.buyers.set(buyerId, Math.max(0, (gate.buyers.get(buyerId) ?? 0) - quantity));
    if (forgetKey) gate.keys.delete(keyField(buyerId, key));
  }

  async load(saleId: number, state: GateState): Promise<void> {
    this.gates.set(saleId, { ...state, buyers: new Map(state.buyers), keys: new Set(state.keys) });
  }

  async remaining(saleId: number): Promise<number | null> {
    return this.gates.get(saleId)?.remaining ?? null;
  }

  async drop(saleId: number): Promise<void> {
    this.gates.delete(saleId);
  }
}

// Every key of one sale shares the hash tag {fs:<id>}, so the script stays atomic on Redis Cluster too.
const ADMIT = `
if redis.call('HEXISTS', KEYS[3], ARGV[4]) == 1 then return 'DUPLICATE' end
local remaining = redis.call('GET', KEYS[1])
if not remaining then return 'NO_GATE' end
remaining = tonumber(remaining)
local qty = tonumber(ARGV[1])
if remaining <= 0 then return 'SOLD_OUT' end
if remaining < qty then return 'NOT_ENOUGH_UNITS' end
local bought = tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '0')
if bought + qty > tonumber(ARGV[3]) then return 'LIMIT_REACHED' end
redis.call('DECRBY', KEYS[1], qty)
redis.call('HINCRBY', KEYS[2], ARGV[2], qty)
redis.call('HSET', KEYS[3], ARGV[4], '1')
return 'OK'
`;

const RELEASE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('HINCRBY', KEYS[2], ARGV[2], 0 - tonumber(ARGV[1]))
if ARGV[4] == '1' then redis.call('HDEL', KEYS[3], ARGV[3]) end
return 1
`;

export class RedisGate implements AdmissionGate {
  private admitSha: string | null = null;
  private releaseSha: string | null = null;

  constructor(
    private readonly redis: RedisClientType,
    private readonly prefix: string,
  ) {}

  private keys(saleId: number): [string, string, string] {
    const tag = `${this.prefix}{fs:${saleId}}`;
    return [`${tag}:remaining`, `${tag}:buyers`, `${tag}:keys`];
  }

  private async run(script: string, which: "admit" | "release", keys: string[], args: string[]): Promise<unknown> {
    let sha = which === "admit" ? this.admitSha : this.releaseSha;
    if (!sha) {
      sha = await this.redis.scriptLoad(script);
      if (which === "admit") this.admitSha = sha;
      else this.releaseSha = sha;
    }
    try {
      return await this.redis.evalSha(sha, { keys, arguments: args });
    } catch (error) {
      if (!String((error as Error).message).includes("NOSCRIPT")) throw error;
      // A restarted or failed-over Redis has lost its script cache.
      return this.redis.eval(script, { keys, arguments: args });
    }
  }

  async admit(saleId: number, buyerId: number, key: string, quantity: number, limit: number): Promise<AdmitResult> {
    return (await this.run(ADMIT, "admit", this.keys(saleId), [String(quantity), String(buyerId), String(limit), keyField(buyerId, key)])) as AdmitResult;
  }

  async release(saleId: number, buyerId: number, key: string, quantity: number, forgetKey: boolean): Promise<void> {
    await this.run(RELEASE, "release", this.keys(saleId), [String(quantity), String(buyerId), keyField(buyerId, key), forgetKey ? "1" : "0"]);
  }

  async load(saleId: number, state: GateState): Promise<void> {
    const [remaining, buyers, keys] = this.keys(saleId);
    const expireAt = Math.ceil(state.expiresAt.getTime() / 1000);
    const multi = this.redis.multi().del([remaining, buyers, keys]).set(remaining, String(state.remaining)).expireAt(remaining, expireAt);
    if (state.buyers.size > 0) {
      multi.hSet(buyers, Object.fromEntries([...state.buyers].map(([b, q]) => [String(b), String(q)]))).expireAt(buyers, expireAt);
    }
    if (state.keys.size > 0) multi.hSet(keys, Object.fromEntries([...state.keys].map((k) => [k, "1"]))).expireAt(keys, expireAt);
    await multi.exec();
  }

  async remaining(saleId: number): Promise<number | null> {
    const value = await this.redis.get(this.keys(saleId)[0]);
    return value === null ? null : Number(value);
  }

  async drop(saleId: number): Promise<void> {
    await this.redis.del(this.keys(saleId));
  }
}
