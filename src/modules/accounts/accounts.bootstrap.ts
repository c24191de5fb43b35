import type { Db } from "../../db/client.js";
import type { UserRow } from "../../db/schema/index.js";
import { Role } from "../../shared/auth.js";
import { insertUser, linkIdentity, setRole, userByIdentity, usersByIds } from "./accounts.queries.js";

/** Operators' account tools (npm run admin): the first admin of an empty database, and roles from the shell. */
export class BootstrapError extends Error {}

const MAX_NAME = 100;

/**
 * A staff user (ADMIN by default), optionally linked to the identity provider's subject so that the platform's
 * tokens for that person sign in as this user. Refuses a subject already linked (nothing is created then).
 */
export async function createStaffUser(
  db: Db,
  input: { name: string; role?: Role; identity?: { issuer: string; subject: string } },
  at: Date,
): Promise<UserRow> {
  const name = input.name.trim();
  if (name.length < 1 || name.length > MAX_NAME) throw new BootstrapError(`--name must be 1–${MAX_NAME} characters`);
  const role = input.role ?? Role.ADMIN;
  if (role !== Role.ADMIN && role !== Role.ANALYST) throw new BootstrapError("staff users are ADMIN or ANALYST; other roles sign up through the identity provider");
  const identity = input.identity;
  if (identity && (!identity.subject || identity.subject.length > 255)) throw new BootstrapError("--subject must be 1–255 characters");
  return db.transaction(async (tx) => {
    if (identity) {
      const holder = await userByIdentity(tx, identity.issuer, identity.subject);
      if (holder) throw new BootstrapError(`subject ${identity.subject} of ${identity.issuer} is already user ${holder.id} (${holder.name}, ${holder.role})`);
    }
    const user = await insertUser(tx, { name, role, at });
    if (identity && !(await linkIdentity(tx, { ...identity, userId: user.id, at }))) {
      throw new BootstrapError(`subject ${identity.subject} was linked by someone else meanwhile`);
    }
    return user;
  });
}

/** Gives an existing user another role from the shell (e.g. an identity-provider user made admin). */
export async function changeRole(db: Db, userId: number, role: Role): Promise<UserRow> {
  const [current] = await usersByIds(db, [userId]);
  if (!current) throw new BootstrapError(`no user ${userId}`);
  return (await setRole(db, userId, role))!;
}

/**
 * The env-driven first admin (BOOTSTRAP_ADMIN_SUBJECT): made when the subject is linked to no user yet, left alone
 * otherwise (an admin may have changed its role since: the database decides). Processes starting together race
 * safely: the identity link is unique, the loser's transaction rolls back. Returns the user made, or null.
 */
export async function ensureBootstrapAdmin(db: Db, input: { name: string; issuer: string; subject: string }, at: Date): Promise<UserRow | null> {
  if (await userByIdentity(db, input.issuer, input.subject)) return null;
  try {
    return await createStaffUser(db, { name: input.name, role: Role.ADMIN, identity: { issuer: input.issuer, subject: input.subject } }, at);
  } catch (error) {
    const code = (error as { code?: string; cause?: { code?: string } })?.code ?? (error as { cause?: { code?: string } })?.cause?.code;
    if (error instanceof BootstrapError || code === "23505") return null;
    throw error;
  }
}
