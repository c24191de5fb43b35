// The accounts face carries its GraphQL types, whose decorators need the metadata polyfill loaded first.
import "reflect-metadata";
import { parseArgs } from "node:util";
import { loadConfig } from "../config/env.js";
import { embeddedDbDir, resolveJwtSecret } from "../config/secrets.js";
import { openDatabase } from "../db/client.js";
import { migrateDatabase } from "../db/migrate.js";
import { BootstrapError, changeRole, createStaffUser } from "../modules/accounts/index.js";
import { LOCAL_ISSUER, Role, TokenService } from "../shared/auth.js";
import { toGlobalId } from "../shared/ids.js";

const usage = `usage:
  npm run admin -- create --name <name> [--subject <sub>] [--issuer <iss>] [--role ADMIN|ANALYST] [--token]
      a staff user (ADMIN by default); --subject links the identity provider's user (its JWT_USER_CLAIM value) so
      its tokens sign in as this user (--issuer defaults to JWT_ISSUER); --token prints a gateway token (needs a
      local secret: JWT_SECRET, or the embedded default's)
  npm run admin -- set-role --user <id> --role <ROLE>
      gives an existing user another role (its sessions pick it up within 30 s; the setUserRole mutation at once)`;

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      name: { type: "string" },
      subject: { type: "string" },
      issuer: { type: "string" },
      role: { type: "string" },
      user: { type: "string" },
      token: { type: "boolean", default: false },
    },
  });
  const command = positionals[0];
  if (command !== "create" && command !== "set-role") throw new BootstrapError(usage);
  const role = values.role?.toUpperCase();
  if (role !== undefined && !(role in Role)) throw new BootstrapError(`--role must be one of ${Object.values(Role).join(", ")}`);
  const config = loadConfig();
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: embeddedDbDir(config) });
  try {
    await migrateDatabase(database);
    if (command === "set-role") {
      if (!values.user || !/^\d+$/.test(values.user) || !role) throw new BootstrapError(usage);
      const user = await changeRole(database.db, Number(values.user), role as Role);
      process.stderr.write(`user ${user.id} (${user.name}) is now ${user.role}\n`);
      return;
    }
    if (!values.name) throw new BootstrapError(usage);
    const issuer = values.issuer ?? config.JWT_ISSUER;
    if (values.subject && !issuer) throw new BootstrapError("--subject needs --issuer or JWT_ISSUER (the identity provider's `iss`)");
    if (values.subject && issuer === LOCAL_ISSUER) throw new BootstrapError(`the issuer "${LOCAL_ISSUER}" is the gateway's own`);
    const user = await createStaffUser(
      database.db,
      { name: values.name, role: role as Role | undefined, identity: values.subject ? { issuer: issuer!, subject: values.subject } : undefined },
      new Date(),
    );
    process.stderr.write(
      `created ${user.role} user ${user.id} (${user.name}), id ${toGlobalId("User", user.id)}` +
        (values.subject ? `, signs in with the identity provider's subject ${values.subject}` : "") +
        "\n",
    );
    if (values.token) {
      if (config.mode === "production" && !config.JWT_SECRET) throw new BootstrapError("--token needs JWT_SECRET in production");
      process.stdout.write(`${await new TokenService(resolveJwtSecret(config), config.JWT_TTL_SECONDS).mint(user.id, user.role as Role)}\n`);
    }
  } finally {
    await database.close();
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof BootstrapError ? error.message : error instanceof Error ? error.stack : error}\n`);
  process.exit(1);
});
