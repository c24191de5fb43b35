import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildManifest } from "../http/persisted-operations.js";

/**
 * Writes the operation manifest for PERSISTED_QUERIES=allowlist from a folder of .graphql operations:
 *   npx tsx src/cli/operations-manifest.ts <folder> [<out.json>]      (stdout without <out.json>)
 */
function main() {
  const [folder, out] = process.argv.slice(2);
  if (!folder) throw new Error("usage: npx tsx src/cli/operations-manifest.ts <folder of .graphql files> [<out.json>]");
  const files = readdirSync(folder, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".graphql"))
    .sort();
  const manifest = buildManifest(files.map((f) => readFileSync(join(folder, f), "utf8")));
  const text = JSON.stringify(manifest, null, 2) + "\n";
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
  process.stderr.write(`${manifest.operations.length} operations from ${files.length} files\n`);
}

main();
