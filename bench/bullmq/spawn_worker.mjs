/**
 * Starts `worker.mjs` as a child process and resolves once it is connected.
 *
 * @example
 * ```js
 * import { spawnWorker } from "./spawn_worker.mjs";
 * const worker = await spawnWorker({ url: "redis://127.0.0.1:6379", concurrency: 100 });
 * await worker.stop();
 * ```
 * @module
 */
import { spawn } from "node:child_process";
import { once } from "node:events";

/** A running worker: its pid, and `stop()` (SIGTERM, then wait for the exit). */
export async function spawnWorker(options) {
  const script = new URL("./worker.mjs", import.meta.url).pathname;
  const child = spawn(process.execPath, [script, JSON.stringify(options)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  // A script that fails half-way must not leave its workers running.
  const orphaned = () => child.kill("SIGKILL");
  process.once("exit", orphaned);
  await new Promise((resolve, reject) => {
    child.stdout.once("data", resolve);
    child.once("exit", (code) => reject(new Error(`worker exited with ${code}`)));
  });
  return {
    pid: child.pid,
    async stop() {
      process.off("exit", orphaned);
      child.kill("SIGTERM");
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}
