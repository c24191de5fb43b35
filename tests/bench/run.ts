import "reflect-metadata";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { log, round, type Figure, type Phase, type PhaseReport } from "./kit.js";
import { readPathPhase } from "./read-path.js";
import { roomPhase } from "./room.js";
import { selloutPhase } from "./sellout.js";
import { settlementPhase } from "./settlement.js";

/**
 * `npm run bench`: each phase against its floor, measured in the same run on real PostgreSQL and Redis. Prints a
 * progress line per phase and a table at the end, writes tests/bench/results/latest.json (and a timestamped copy),
 * and exits non-zero when a correctness figure breaks. Speed targets are reported, never asserted.
 * BENCH_PHASES=a,b runs only those phases (names as in the table).
 */
const PHASES: Phase[] = [readPathPhase, selloutPhase, roomPhase, settlementPhase];

function gitCommit(): { commit: string | null; dirty: boolean | null } {
  try {
    const commit = execFileSync("git", ["rev-parse", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { encoding: "utf8" }).trim() !== "";
    return { commit, dirty };
  } catch {
    return { commit: null, dirty: null };
  }
}

const load = () => loadavg().map((n) => round(n, 2));

function cell(value: number | string | null | undefined, unit = ""): string {
  if (value === null || value === undefined) return "—";
  const text = typeof value === "number" ? value.toLocaleString("en-US", { maximumFractionDigits: 2 }) : value;
  return unit ? `${text} ${unit}` : text;
}

function table(rows: { phase: string; figure: Figure }[]): string {
  const lines = rows.map(({ phase, figure: f }) => {
    const ratio = typeof f.value === "number" && f.floor ? `${round((f.value / f.floor) * 100)}%` : "";
    const met = f.met === undefined || f.met === null ? "" : f.met ? "met" : "MISSED";
    return [phase, f.name, cell(f.value, f.unit), f.floor === undefined ? "" : cell(f.floor, f.unit), ratio, f.target ?? "", met];
  });
  const head = ["phase", "figure", "value", "floor", "of floor", "target", ""];
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [row(head), row(widths.map((w) => "-".repeat(w))), ...lines.map(row)].join("\n");
}

async function main(): Promise<number> {
  const only = process.env.BENCH_PHASES?.split(",").map((s) => s.trim()).filter(Boolean);
  const phases = only ? PHASES.filter((p) => only.includes(p.name)) : PHASES;
  const started = performance.now();
  const results: Record<string, unknown> = {
    at: new Date().toISOString(),
    git: gitCommit(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? null,
    loadAverageAtStart: load(),
  };
  const reports: Record<string, PhaseReport | { error: string }> = {};
  const rows: { phase: string; figure: Figure }[] = [];
  const failures: string[] = [];
  log(`${phases.map((p) => p.name).join(", ")} — load average ${load().join(" ")} on ${cpus().length} cores`);
  for (const phase of phases) {
    const t0 = performance.now();
    log(`▶ ${phase.name}`);
    try {
      const report = await phase.run((msg) => log(`  ${phase.name}: ${msg}`));
      reports[phase.name] = report;
      rows.push(...report.figures.map((figure) => ({ phase: phase.name, figure })));
      failures.push(...report.failures.map((f) => `${phase.name}: ${f}`));
      log(`✓ ${phase.name} in ${round((performance.now() - t0) / 1000)} s${report.failures.length ? ` — ${report.failures.length} correctness failure(s)` : ""}`);
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      reports[phase.name] = { error: message };
      failures.push(`${phase.name}: did not finish: ${message.split("\n")[0]}`);
      log(`✗ ${phase.name} failed after ${round((performance.now() - t0) / 1000)} s:\n${message}`);
    }
  }
  Object.assign(results, { loadAverageAtEnd: load(), seconds: round((performance.now() - started) / 1000), phases: reports, failures });
  mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  const json = JSON.stringify(results, null, 2) + "\n";
  writeFileSync(new URL("./results/latest.json", import.meta.url), json);
  writeFileSync(new URL(`./results/bench-${Date.now()}.json`, import.meta.url), json);
  process.stdout.write(`\n${table(rows)}\n\n`);
  process.stdout.write(
    `${results.seconds} s; load average ${(results.loadAverageAtStart as number[]).join(" ")} at start, ${(results.loadAverageAtEnd as number[]).join(" ")} at end; ` +
      `${cpus().length} cores, Node ${process.version}, commit ${(results.git as { commit: string | null }).commit?.slice(0, 10) ?? "?"}\n`,
  );
  if (failures.length) {
    process.stdout.write(`\nCORRECTNESS FAILURES:\n${failures.map((f) => `  - ${f}`).join("\n")}\n`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : error}\n`);
    process.exit(1);
  },
);
