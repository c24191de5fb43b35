import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildManifest } from "../http/persisted-operations.js";

/**
 * Writes the operation manifest for PERSISTED_QUERIES=allowlist from folders of .graphql operations:
 *   npx tsx src/cli/operations-manifest.ts <folder>... [<out.json>]      (stdout without <out.json>)
 */
function main() {
  const args = process.argv.slice(2);
  const out = args.at(-1)?.endsWith(".json") ? args.pop() : undefined;
  if (args.length === 0) throw new Error("usage: npx tsx src/cli/operations-manifest.ts <folder of .graphql files>... [<out.json>]");
  const files = args.flatMap((folder) =>
    readdirSync(folder, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".graphql"))
      .sort()
      .map((f) => join(folder, f)),
  );
  const manifest = buildManifest(files.map((f) => readFileSync(f, "utf8")));
  const text = JSON.stringify(manifest, null, 2) + "\n";
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
  process.stderr.write(`${manifest.operations.length} operations from ${files.length} files\n`);
}

main();
