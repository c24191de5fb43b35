import DataLoader from "dataloader";
import { LRUCache } from "lru-cache";
import type { Db } from "../../db/client.js";
import type { UserRow } from "../../db/schema/index.js";
import type { EventBus, Unsubscribe } from "../../realtime/bus.js";
import { invalidToken, protectedHeader, Role, type TokenClaims, type TokenVerifier, type Viewer } from "../../shared/auth.js";
import type { Clock } from "../../shared/clock.js";
import { AppError, ErrorCode } from "../../shared/errors.js";
import type { Logger } from "../../shared/logger.js";
import { insertUserWithIdentity, userByIdentity, usersByIds } from "./accounts.queries.js";

/** A user as every process may keep it: a name never changes, a role only with `accessChanged`. */
export interface KnownUser {
  id: number;
  name: string;
  role: Role;
}

/** How long a process trusts what it read of a user's role without hearing of a change (accessChanged is at most once). */
const ACCOUNT_CACHE_MS = 30_000;
const CACHE_SIZE = 50_000;
/** Roles a user may start with on its own token's word; staff roles are granted inside liveshelf. */
const SELF_SERVICE_ROLES: ReadonlySet<Role> = new Set([Role.BUYER, Role.MERCHANT, Role.PROMOTER]);
const MAX_NAME = 100;

/**
 * From a bearer token to a viewer. The token proves who is calling (the gateway's own HS256 token, or the identity
 * provider's asymmetric one); what the caller may do is the database's role, never the token's claim. A valid
 * provider token for an unknown subject provisions a user on first sight (just in time), in the self-service role
 * its claim names (BUYER when it names none).
 *
 * Every process keeps the roles it read for a while and forgets a user's on `accessChanged` (published on the
 * user's key and on "all" by whoever changes a role or a ban), so a change reaches every gateway process.
 */
export class IdentityService {
  private readonly known = new LRUCache<number, KnownUser>({ max: CACHE_SIZE, ttl: ACCOUNT_CACHE_MS });
  private readonly links = new LRUCache<string, number>({ max: CACHE_SIZE });
  private readonly provisioning = new Map<string, Promise<UserRow>>();
  /** Role reads of a few milliseconds go to PostgreSQL as one statement; nothing cached here. */
  private readonly reads: DataLoader<number, UserRow | null>;
  private unsubscribe: Unsubscribe | null = null;

  constructor(private readonly deps: { db: Db; bus: EventBus; clock: Clock; log: Logger; local: TokenVerifier | null; provider: TokenVerifier | null }) {
    this.reads = new DataLoader(
      async (ids) => {
        const rows = new Map((await usersByIds(deps.db, ids)).map((row) => [row.id, row]));
        return ids.map((id) => rows.get(id) ?? null);
      },
      // Reads of a 5 ms window share a statement: a crowd's first requests (1,000 buyers at a sale's start) would
      // otherwise queue one query each for the pool the orders need (measured: connections reset under that load).
      { cache: false, maxBatchSize: 500, batchScheduleFn: (run) => setTimeout(run, 5) },
    );
  }

  async start(): Promise<void> {
    this.unsubscribe = await this.deps.bus.subscribe("accessChanged", "all", ({ userId }) => this.forget(userId));
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.();
  }

  forget(userId: number): void {
    this.known.delete(userId);
  }

  /**
   * A user's name and role as this process knows them (read at most once per ACCOUNT_CACHE_MS, forgotten on
   * `accessChanged`): for public pages that name a user, such as a promoter's shelf, read by every viewer of a live
   * room. Null when there is no such user (not kept: the id may be taken later).
   */
  async knownUser(userId: number): Promise<KnownUser | null> {
    const kept = this.known.get(userId);
    if (kept) return kept;
    const row = await this.reads.load(userId);
    return row ? this.keep(row) : null;
  }

  private keep(row: UserRow): KnownUser {
    const user = { id: row.id, name: row.name, role: row.role as Role };
    this.known.set(row.id, user);
    return user;
  }

  /** The viewer a token names; a missing token is an anonymous viewer (null), a bad one is UNAUTHENTICATED. */
  async authenticate(token: string | null | undefined): Promise<Viewer | null> {
    if (!token) return null;
    const claims = await this.verify(token);
    const userId = claims.local ? Number(claims.subject) : await this.linkedUser(claims);
    return { userId, role: await this.roleOf(userId), expiresAt: claims.expiresAt };
  }

  private verify(token: string): Promise<TokenClaims> {
    const header = protectedHeader(token);
    if (!header) throw invalidToken();
    const alg = header.alg;
    // The algorithm picks the verifier, and each verifier accepts only its own: an HS256 token is never checked
    // against a public key, nor an asymmetric one against the local secret.
    const verifier = alg === "HS256" ? this.deps.local : this.deps.provider;
    if (!verifier) throw invalidToken();
    return verifier.verify(token);
  }

  private async roleOf(userId: number): Promise<Role> {
    const user = await this.knownUser(userId);
    if (!user) throw new AppError(ErrorCode.UNAUTHENTICATED, "The token names no user of this platform.");
    return user.role;
  }

  private async linkedUser(claims: TokenClaims): Promise<number> {
    const key = `${claims.issuer}\n${claims.subject}`;
    const known = this.links.get(key);
    if (known !== undefined) return known;
    let row = await userByIdentity(this.deps.db, claims.issuer, claims.subject);
    if (!row) {
      // Concurrent first requests of one subject on this process share one provisioning.
      let pending = this.provisioning.get(key);
      if (!pending) {
        pending = this.provision(claims).finally(() => this.provisioning.delete(key));
        this.provisioning.set(key, pending);
      }
      row = await pending;
    }
    this.links.set(key, row.id);
    this.keep(row);
    return row.id;
  }

  private async provision(claims: TokenClaims): Promise<UserRow> {
    const claimed = claims.role?.toUpperCase() ?? Role.BUYER;
    if (!(claimed in Role)) throw new AppError(ErrorCode.UNAUTHENTICATED, `The token's role claim (${claims.role}) is not a liveshelf role.`);
    const role = claimed as Role;
    if (!SELF_SERVICE_ROLES.has(role)) {
      throw new AppError(ErrorCode.FORBIDDEN, `The ${role} role is granted inside liveshelf (npm run admin, setUserRole), not by a token's claim.`);
    }
    const name = (claims.name?.trim() || `${role.toLowerCase()}-${claims.subject}`).slice(0, MAX_NAME);
    const inserted = await insertUserWithIdentity(this.deps.db, { name, role, issuer: claims.issuer, subject: claims.subject, at: this.deps.clock.now() });
    // Lost the race to another process: its user is the one.
    const row = inserted ?? (await userByIdentity(this.deps.db, claims.issuer, claims.subject));
    if (!row) throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, "The account could not be provisioned; try again.");
    if (inserted) this.deps.log.info("user provisioned", { userId: row.id, role, issuer: claims.issuer });
    return row;
  }
}
