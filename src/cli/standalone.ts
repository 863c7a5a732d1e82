/**
 * tq run straight from the package, with a project's own tasks module:
 * `deno run -A jsr:@tq/tq/cli worker --tasks ./tasks/mod.ts` from the project's directory.
 * The project's deno.json then resolves every import, the module's and tq's alike, and its
 * tasks import the very same `@tq/tq`. Without `--tasks` (or `TQ_TASKS`) only the commands
 * that need no task run (`jobs`, `queues`, `workers`, `stats`, help): a worker that knew no
 * task would fail every job it took.
 *
 * @example
 * ```ts ignore
 * Deno.exit(await runStandalone(["worker", "--tasks", "./tasks/mod.ts"]));
 * ```
 * @module
 */
import { Registry } from "../registry/registry.ts";
import { UsageError } from "./args.ts";
import { runCli } from "./main.ts";

/** Commands that work on the store alone. */
const TASKLESS = ["jobs", "queues", "workers", "stats"];

/**
 * Runs `args` with the tasks of their `--tasks` module; resolves with the exit code (2,
 * with one line on stderr, when a command that needs tasks names no module).
 *
 * @example
 * ```ts ignore
 * if (import.meta.main) Deno.exit(await runStandalone(Deno.args));
 * ```
 */
export async function runStandalone(args: string[]): Promise<number> {
  const named = args.some((arg) => arg === "--tasks" || arg.startsWith("--tasks="));
  const help = args.length === 0 || args.some((arg) => ["--help", "-h", "help"].includes(arg));
  if (!named && !Deno.env.get("TQ_TASKS") && !help && !TASKLESS.includes(args[0])) {
    const error = new UsageError(
      "run from the package, tq needs your tasks: add --tasks PATH (a module exporting " +
        `"registry", and "schedules" if any), or set TQ_TASKS`,
    );
    console.error(`tq: ${error.message}`);
    return 2;
  }
  // Every command replaces this empty registry with the module's before it starts.
  return await runCli(args, { registry: new Registry([]) });
}
