import "reflect-metadata";
import { ConfigError, loadConfig, StartupError } from "./config/env.js";
import { createLogger } from "./shared/logger.js";

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`liveshelf: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.LOG_LEVEL, { service: "liveshelf", pid: process.pid });
  log.info("starting", { mode: config.mode, port: config.PORT });
  // Loaded after the first line: compiling the gateway's modules takes seconds on a cold start.
  const { startGateway } = await import("./server.js");
  const { demoRoom, demoTokens } = await import("./seed/demo-tokens.js");
  let gateway;
  try {
    gateway = await startGateway({ config, log });
  } catch (error) {
    if (error instanceof StartupError) {
      process.stderr.write(`liveshelf: cannot start: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  const banner = [`\nliveshelf is running (${config.mode} mode)`, `  GraphiQL:  ${gateway.url}`, `  WebSocket: ${gateway.wsUrl}`];
  // Tokens of real users are never printed: only the embedded demo's.
  const tokens = config.mode === "embedded" && gateway.tokens ? await demoTokens(gateway.database.db, gateway.tokens) : [];
  if (tokens.length > 0) {
    banner.push("", "  Bearer tokens (open the GraphiQL link to use one, or send `Authorization: Bearer <token>`):");
    for (const t of tokens) banner.push(`  ${t.role.padEnd(9)} ${t.name} (user ${t.userId})`, `            ${gateway.url}?token=${t.token}`);
  }
  const room = config.mode === "embedded" ? await demoRoom(gateway.database.db) : null;
  if (room) {
    const host = tokens.find((t) => t.userId === room.promoterId);
    const overlay = `${gateway.url.replace(/\/graphql$/, "")}/overlay/${room.liveSessionId}`;
    banner.push("", "  Live-room overlay of the demo room (a browser source for streaming software; the host's link adds its price-guard alerts):", `  ${overlay}`);
    if (host) banner.push(`  ${overlay}?token=${host.token}`);
    banner.push("  Move its countdown: npm run demo:crowd");
  }
  process.stderr.write(banner.join("\n") + "\n\n");

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down", { signal });
    // The drain keeps to SHUTDOWN_GRACE_MS; this is the backstop should anything in it hang.
    setTimeout(() => {
      log.error("shutdown overran its grace period; exiting", { graceMs: config.SHUTDOWN_GRACE_MS });
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS + 700).unref();
    gateway.stop().then(
      () => process.exit(0),
      (error) => {
        log.error("shutdown failed", { error });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main().catch((error) => {
  process.stderr.write(`liveshelf: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
