import { eq } from "drizzle-orm";
import { parseArgs } from "node:util";
import { loadConfig } from "../config/env.js";
import { embeddedDbDir, resolveJwtSecret } from "../config/secrets.js";
import { openDatabase } from "../db/client.js";
import { migrateDatabase } from "../db/migrate.js";
import { users } from "../db/schema/index.js";
import { Role, TokenService } from "../shared/auth.js";

const usage =
  "usage: npm run token -- --user <id> [--ttl <seconds>]   |   --role <ROLE> (first user of the role)   |   --user <id> --role <ROLE> (no database access)";

async function main() {
  const { values } = parseArgs({ options: { user: { type: "string" }, role: { type: "string" }, ttl: { type: "string" } } });
  const config = loadConfig();
  if (config.mode === "production" && !config.JWT_SECRET) {
    throw new Error("npm run token mints the gateway's own HS256 tokens and needs JWT_SECRET; with JWKS_URL alone, tokens come from the identity provider");
  }
  const ttl = values.ttl ? Number(values.ttl) : config.JWT_TTL_SECONDS;
  if (values.user && values.role) {
    // Both given: nothing to look up, so this works while an embedded gateway holds its data folder.
    if (!(values.role in Role) || !/^\d+$/.test(values.user)) throw new Error(usage);
    const token = await new TokenService(resolveJwtSecret(config), config.JWT_TTL_SECONDS).mint(Number(values.user), values.role as Role, ttl);
    process.stdout.write(`${token}\n`);
    return;
  }
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: embeddedDbDir(config) });
  try {
    await migrateDatabase(database);
    let row;
    if (values.user) {
      [row] = await database.db.select().from(users).where(eq(users.id, Number(values.user)));
    } else if (values.role && values.role in Role) {
      [row] = await database.db.select().from(users).where(eq(users.role, values.role as Role)).orderBy(users.id).limit(1);
    } else {
      throw new Error(usage);
    }
    if (!row) throw new Error(`no such user (${values.user ?? values.role})`);
    const token = await new TokenService(resolveJwtSecret(config), config.JWT_TTL_SECONDS).mint(row.id, row.role as Role, ttl);
    process.stdout.write(`${token}\n`);
    process.stderr.write(`token for user ${row.id} (${row.name}, ${row.role}), valid ${ttl} s\n`);
  } finally {
    await database.close();
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.message : error}\n`);
  process.exit(1);
});
