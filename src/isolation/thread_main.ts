/**
 * Entry of a handler thread (`isolation: "thread"`): a {@linkcode Runner} on `postMessage`.
 * `Deno.exit()` in a handler ends only this thread; the worker is told, and fails the job.
 *
 * @example
 * ```ts ignore
 * new Worker(new URL("./thread_main.ts", import.meta.url), { type: "module" });
 * ```
 * @module
 */
/// <reference lib="deno.worker" />
import type { FromRunner, ToRunner } from "./protocol.ts";
import { Runner } from "./runner.ts";

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
