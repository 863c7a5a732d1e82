/**
 * Inside a handler thread (`isolation: "thread"`): a {@linkcode Runner} on `postMessage`.
 * The thread's entry is a small generated module that imports this one and the tasks
 * module statically, so a thread without read permission still loads its code (see
 * `channels.ts`). `Deno.exit()` in a handler ends only this thread; the worker is told,
 * and fails the job.
 *
 * @example
 * ```ts ignore
 * import { serveThread } from "./thread_main.ts";
 * import * as tasks from "./tasks/mod.ts";
 * serveThread(tasks, "file:///app/tasks/mod.ts");
 * ```
 * @module
 */
/// <reference lib="deno.worker" />
import type { FromRunner, ToRunner } from "./protocol.ts";
import { Runner } from "./runner.ts";

/**
 * Serves the worker from this thread with the registry of `module`.
 *
 * @example
 * ```ts ignore
 * serveThread(await import("./tasks/mod.ts"), "./tasks/mod.ts");
 * ```
 */
export function serveThread(module: Record<string, unknown>, tasksModule: string): void {
  const send = (message: FromRunner) => self.postMessage(message);
  const exit = Deno.exit;
  Object.defineProperty(Deno, "exit", {
    value: (code?: number) => {
      send({ type: "exit", code: code ?? 0 });
      exit(code);
    },
  });
  const runner = new Runner(send);
  self.onmessage = (event: MessageEvent<ToRunner>) => void runner.receive(event.data);
  runner.use(module, tasksModule);
}
