import { defineScript, type CommandParser, type RedisClientType } from "redis";

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

/**
 * Every admission holds a lease (an id chosen by the caller, one per attempt) until its order is settled (committed)
 * or released (refused, failed). A lease left by a process that died is found by `expired` once its deadline has
 * passed and ended by `expire`, so its units and its idempotency key are not held for ever.
 */
export interface AdmissionGate {
  admit(saleId: number, buyerId: number, idempotencyKey: string, quantity: number, perBuyerLimit: number, lease: string): Promise<AdmitResult>;
  /** The admitted order is committed: its units stay taken and its lease ends. */
  settle(saleId: number, buyerId: number, idempotencyKey: string, quantity: number, lease: string): Promise<void>;
  /**
   * Gives admitted units back (the commit failed, or the ledger refused); `forgetKey` frees the idempotency key too.
   * Only while the lease is held: a lease already expired has given its units back.
   */
  release(saleId: number, buyerId: number, idempotencyKey: string, quantity: number, forgetKey: boolean, lease: string): Promise<void>;
  /** Leases past their deadline (their holder died or stalled). */
  expired(saleId: number): Promise<ExpiredLease[]>;
  /** Ends an expired lease: units and key go back unless the ledger shows its order `committed`. */
  expire(saleId: number, lease: ExpiredLease, committed: boolean): Promise<void>;
  /** Replaces the gate of a sale with the state read from the ledger. */
  load(saleId: number, state: GateState): Promise<void>;
  remaining(saleId: number): Promise<number | null>;
  drop(saleId: number): Promise<void>;
}

export interface ExpiredLease {
  lease: string;
  buyerId: number;
  idempotencyKey: string;
  quantity: number;
}

export const keyField = (buyerId: number, idempotencyKey: string) => `${buyerId}:${idempotencyKey}`;

export class InProcessGate implements AdmissionGate {
  private readonly gates = new Map<number, GateState>();

  // One process: no other holder can die, so leases never expire here.
  async admit(saleId: number, buyerId: number, key: string, quantity: number, limit: number, _lease: string): Promise<AdmitResult> {
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

  async settle(): Promise<void> {}

  async expired(): Promise<ExpiredLease[]> {
    return [];
  }

  async expire(): Promise<void> {}

  async release(saleId: number, buyerId: number, key: string, quantity: number, forgetKey: boolean, _lease: string): Promise<void> {
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
// KEYS: remaining, buyers, keys, leases, held. ARGV: qty, buyer, limit, keyField, lease, lease ms.
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
local t = redis.call('TIME')
redis.call('ZADD', KEYS[4], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[6]), ARGV[5])
redis.call('HSET', KEYS[5], ARGV[5], ARGV[1] .. ':' .. ARGV[2] .. ':' .. ARGV[4])
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then for i = 2, 5 do redis.call('PEXPIRE', KEYS[i], ttl) end end
return 'OK'
`;

// KEYS: remaining, buyers, keys, leases (lease → deadline ms), held (lease → "qty:buyer:keyField").
// ARGV: qty, buyer, keyField, forget ('1' frees the key), lease.
const RELEASE = `
if redis.call('ZREM', KEYS[4], ARGV[5]) == 0 then return 0 end
redis.call('HDEL', KEYS[5], ARGV[5])
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('HINCRBY', KEYS[2], ARGV[2], 0 - tonumber(ARGV[1]))
if ARGV[4] == '1' then redis.call('HDEL', KEYS[3], ARGV[3]) end
return 1
`;

// The order committed. If its lease had expired meanwhile and given the units and key back, they are taken again
// (unless the key is held again by a retry, which holds units of its own).
const SETTLE = `
if redis.call('ZREM', KEYS[4], ARGV[5]) == 1 then
  redis.call('HDEL', KEYS[5], ARGV[5])
  return 1
end
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HEXISTS', KEYS[3], ARGV[3]) == 1 then return 0 end
redis.call('DECRBY', KEYS[1], ARGV[1])
redis.call('HINCRBY', KEYS[2], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[3], '1')
return 2
`;

const EXPIRED = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local leases = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now, 'LIMIT', 0, 1000)
local out = {}
for _, lease in ipairs(leases) do
  local held = redis.call('HGET', KEYS[5], lease)
  if held then table.insert(out, lease); table.insert(out, held) end
end
return out
`;

// ARGV: lease, qty, buyer, keyField, committed ('1': the ledger has the order, units stay taken).
const EXPIRE = `
local deadline = redis.call('ZSCORE', KEYS[4], ARGV[1])
if not deadline then return 0 end
local t = redis.call('TIME')
if tonumber(deadline) > tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) then return 0 end
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[5], ARGV[1])
if ARGV[5] == '1' or redis.call('EXISTS', KEYS[1]) == 0 then return 1 end
redis.call('INCRBY', KEYS[1], ARGV[2])
redis.call('HINCRBY', KEYS[2], ARGV[3], 0 - tonumber(ARGV[2]))
redis.call('HDEL', KEYS[3], ARGV[4])
return 2
`;

/** A gate script over the five keys of one sale; node-redis sends EVALSHA and, on NOSCRIPT (a restarted or failed-over Redis), EVAL. */
const gateScript = (SCRIPT: string) =>
  defineScript({
    SCRIPT,
    NUMBER_OF_KEYS: 5,
    parseCommand(parser: CommandParser, keys: string[], args: string[]) {
      for (const key of keys) parser.pushKey(key);
      parser.push(...args);
    },
    transformReply: undefined as unknown as () => unknown,
  });

/** Given to the Redis client at its creation (`createClient({ scripts })`): the gate's scripts, by name. */
export const GATE_SCRIPTS = {
  flashSaleAdmit: gateScript(ADMIT),
  flashSaleRelease: gateScript(RELEASE),
  flashSaleSettle: gateScript(SETTLE),
  flashSaleExpired: gateScript(EXPIRED),
  flashSaleExpire: gateScript(EXPIRE),
};

/** A client created with GATE_SCRIPTS. */
export type GateRedis = Pick<RedisClientType, "multi" | "get" | "del"> & Record<keyof typeof GATE_SCRIPTS, (keys: string[], args: string[]) => Promise<unknown>>;

export class RedisGate implements AdmissionGate {
  constructor(
    private readonly redis: GateRedis,
    private readonly prefix: string,
    /** How long an admission may wait for its commit before survivors may take it back. */
    private readonly leaseMs = 5_000,
  ) {}

  private keys(saleId: number): [string, string, string, string, string] {
    const tag = `${this.prefix}{fs:${saleId}}`;
    return [`${tag}:remaining`, `${tag}:buyers`, `${tag}:keys`, `${tag}:leases`, `${tag}:held`];
  }

  async admit(saleId: number, buyerId: number, key: string, quantity: number, limit: number, lease: string): Promise<AdmitResult> {
    const args = [String(quantity), String(buyerId), String(limit), keyField(buyerId, key), lease, String(this.leaseMs)];
    return (await this.redis.flashSaleAdmit(this.keys(saleId), args)) as AdmitResult;
  }

  async settle(saleId: number, buyerId: number, key: string, quantity: number, lease: string): Promise<void> {
    await this.redis.flashSaleSettle(this.keys(saleId), [String(quantity), String(buyerId), keyField(buyerId, key), "0", lease]);
  }

  async release(saleId: number, buyerId: number, key: string, quantity: number, forgetKey: boolean, lease: string): Promise<void> {
    await this.redis.flashSaleRelease(this.keys(saleId), [String(quantity), String(buyerId), keyField(buyerId, key), forgetKey ? "1" : "0", lease]);
  }

  async expired(saleId: number): Promise<ExpiredLease[]> {
    const flat = (await this.redis.flashSaleExpired(this.keys(saleId), [])) as string[];
    const out: ExpiredLease[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      // "qty:buyer:buyer:key" (the key field repeats the buyer; the idempotency key may itself hold ':').
      const [qty, buyer, , ...rest] = flat[i + 1]!.split(":");
      out.push({ lease: flat[i]!, quantity: Number(qty), buyerId: Number(buyer), idempotencyKey: rest.join(":") });
    }
    return out;
  }

  async expire(saleId: number, lease: ExpiredLease, committed: boolean): Promise<void> {
    const args = [lease.lease, String(lease.quantity), String(lease.buyerId), keyField(lease.buyerId, lease.idempotencyKey), committed ? "1" : "0"];
    await this.redis.flashSaleExpire(this.keys(saleId), args);
  }

  async load(saleId: number, state: GateState): Promise<void> {
    const [remaining, buyers, keys, leases, held] = this.keys(saleId);
    const expireAt = Math.ceil(state.expiresAt.getTime() / 1000);
    // Leases go too: the ledger is the truth now, and an admission still in flight settles or releases as a no-op.
    const multi = this.redis.multi().del([remaining, buyers, keys, leases, held]).set(remaining, String(state.remaining)).expireAt(remaining, expireAt);
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
