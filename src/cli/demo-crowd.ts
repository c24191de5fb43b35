import { parseArgs } from "node:util";
import { loadConfig } from "../config/env.js";
import { resolveJwtSecret } from "../config/secrets.js";
import { runCrowd } from "../seed/demo-crowd.js";
import { Role, TokenService } from "../shared/auth.js";

const usage = "usage: npm run demo:crowd [-- --buyers 100] [--rate 10] [--concurrency 8] [--seconds 120] [--sale <flash sale id>] [--url http://localhost:4000/graphql]";

/**
 * Sends the embedded demo's crowd of buyers at its running flash sale, so an overlay (printed at start) or a
 * GraphiQL `flashSaleInventory` subscription shows the stock falling. Reads the same environment as `npm start`
 * (DATA_DIR for the JWT secret, PORT); needs no database access, so it runs beside the gateway.
 */
async function main() {
  const { values } = parseArgs({
    options: { buyers: { type: "string" }, rate: { type: "string" }, concurrency: { type: "string" }, seconds: { type: "string" }, sale: { type: "string" }, url: { type: "string" }, help: { type: "boolean" } },
  });
  if (values.help) return void process.stdout.write(`${usage}\n`);
  const config = loadConfig();
  const number = (value: string | undefined, fallback: number, max: number) => {
    const n = value === undefined ? fallback : Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`${usage}\n(numbers are whole, 1–${max})`);
    return n;
  };
  const tokens = new TokenService(resolveJwtSecret(config), 3600);
  await runCrowd({
    url: values.url ?? `http://localhost:${config.PORT}/graphql`,
    mint: (userId) => tokens.mint(userId, Role.BUYER),
    buyers: number(values.buyers, 100, 300),
    rate: number(values.rate, 10, 200),
    concurrency: number(values.concurrency, 8, 64),
    maxSeconds: number(values.seconds, 120, 600),
    flashSaleId: values.sale,
    report: (line) => process.stdout.write(`demo:crowd ${line}\n`),
  });
}

main().catch((error) => {
  process.stderr.write(`demo:crowd: ${error instanceof Error ? error.message : error}\n`);
  process.exit(1);
});
