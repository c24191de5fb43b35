import { Session } from "node:inspector";

/**
 * Loaded (`--import`) into every server process of the room phase, gateways and floor alike: SIGUSR2 runs the
 * collection a heap snapshot starts with (the inspector's HeapProfiler.collectGarbage: every unreachable object
 * freed, the heap compacted, its empty pages given back), so resident memory is read at its live size, not wherever
 * each process's collector happened to be (a plain `gc()` left the gateway's heap 55 MB over its live objects).
 */
process.on("SIGUSR2", () => {
  const session = new Session();
  session.connect();
  // Disconnecting inside the callback hangs the process: after it.
  session.post("HeapProfiler.collectGarbage", () => setImmediate(() => session.disconnect()));
});
