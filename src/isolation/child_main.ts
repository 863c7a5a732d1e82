/**
 * Entry of a handler child process (`isolation: "process"`): a {@linkcode Runner} on the
 * lines of stdin (messages in) and stdout (messages out, each line starting with
 * {@linkcode LINE_MARK}). The handler's own console output goes to stderr.
 *
 * Under `deno run` the child's main module is a generated one that imports this module and
 * the tasks module statically (see `channels.ts`); a compiled binary starts itself again
 * with `TQ_ISOLATION_CHILD=1` (see `src/cli/main.ts`) and is told the tasks module's URL.
 *
 * @example
 * ```ts ignore
 * await runChild();
 * ```
 * @module
 */
import type { FromRunner, ToRunner } from "./protocol.ts";
import { Runner } from "./runner.ts";

/** Starts every protocol line on stdout; other lines are passed on as output. */
export const LINE_MARK = "\u001etq:";

/** The variable that makes a compiled `tq` binary start as a handler child. */
export const CHILD_MARKER = "TQ_ISOLATION_CHILD";

/**
 * Serves the worker on stdin and stdout until stdin closes, with the registry of `module`
 * when given (else the one named by the first message).
 *
 * @example
 * ```ts ignore
 * if (Deno.env.get(CHILD_MARKER)) Deno.exit(await runChild());
 * ```
 */
export async function runChild(
  module?: Record<string, unknown>,
  tasksModule = "",
): Promise<number> {
  const encoder = new TextEncoder();
  const stdout = Deno.stdout;
  const send = (message: FromRunner) =>
    stdout.writeSync(encoder.encode(`${LINE_MARK}${JSON.stringify(message)}\n`));
  for (const method of ["log", "info", "debug"] as const) console[method] = console.error;
  const runner = new Runner(send);
  if (module) runner.use(module, tasksModule);
  let buffer = "";
  for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    for (const line of lines) {
      if (line) void runner.receive(JSON.parse(line) as ToRunner);
    }
  }
  return 0;
}
