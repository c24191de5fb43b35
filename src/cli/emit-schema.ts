import "reflect-metadata";
import { readFile } from "node:fs/promises";
import { buildGatewaySchema, emitSchema, printGatewaySchema, schemaFile } from "../schema.js";

/** `--check` fails when schema/schema.graphql is not what the code emits. */
async function main() {
  if (process.argv.includes("--check")) {
    const emitted = printGatewaySchema(await buildGatewaySchema());
    const committed = await readFile(schemaFile, "utf8").catch(() => "");
    if (emitted !== committed) {
      process.stderr.write("schema/schema.graphql is stale: run `npm run schema` and commit the result.\n");
      process.exit(1);
    }
    process.stderr.write("schema/schema.graphql is up to date.\n");
    return;
  }
  await emitSchema();
  process.stderr.write(`wrote ${schemaFile}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
  process.exit(1);
});
