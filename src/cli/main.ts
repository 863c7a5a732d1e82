/**
 * The `tq` command: dispatches to a subcommand with the given tasks and schedules, and
 * turns every error into one clear line on stderr and a non-zero exit code (2 for usage,
 * 1 for the rest).
 *
 * @example
 * ```ts ignore
 * Deno.exit(await runCli(["queues"], { registry, schedules }));
 * ```
 * @module
 */
import { TqError } from "../errors.ts";
import { CHILD_MARKER, runChild } from "../isolation/child_main.ts";
import { UsageError } from "./args.ts";
import type { CliOptions } from "./cli_options.ts";

/** Help of `tq` itself. */
export const MAIN_HELP = `tq: background jobs for TypeScript on Deno

Usage: tq COMMAND [options]

Commands:
  start      HTTP API and a worker in one process on a local KV file (the default setup)
  serve      the HTTP API: validate, record, answer 202
  worker     claim and run jobs
  enqueue    enqueue one job from the shell
  send-event send an event to the jobs waiting for it (ctx.waitForEvent)
  jobs       list, show, retry, cancel or delete jobs
  queues     counts of jobs per queue and state
  workers    workers online: host, pid, concurrency, running jobs, last heartbeat
  stats      the dashboard's overview: jobs per state, last hour, workers
  cron       enqueue the jobs of the schedules at their ticks (also inside start)
  schedules  list the schedules; pause, resume or trigger one
  doctor     find (and --repair) jobs that can never make progress
  init       create a project that uses tq with its own tasks, schedules and tests
  compact    shrink the KV file to its live size (with tq stopped)

Run 'tq COMMAND --help' for a command's options.`;

/** A subcommand: its arguments and the tasks it works with → the exit code. */
type Command = (args: string[], tasks: CliOptions) => Promise<number>;

/**
 * Each subcommand, loaded when it runs: `tq worker` never loads the HTTP stack, the
 * dashboard or the OpenAPI schemas that `tq serve` needs (less memory, faster start).
 * The specifiers are literal, so `deno compile` still bundles every command.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  start: async () => (await import("./start.ts")).startCommand,
  serve: async () => (await import("./serve.ts")).serveCommand,
  worker: async () => (await import("./worker.ts")).workerCommand,
  enqueue: async () => (await import("./enqueue.ts")).enqueueCommand,
  "send-event": async () => (await import("./send_event.ts")).sendEventCommand,
  jobs: async () => (await import("./jobs.ts")).jobsCommand,
  queues: async () => (await import("./queues.ts")).queuesCommand,
  workers: async () => (await import("./workers.ts")).workersCommand,
  stats: async () => (await import("./stats.ts")).statsCommand,
  cron: async () => (await import("./cron.ts")).cronCommand,
  schedules: async () => (await import("./schedules.ts")).schedulesCommand,
  doctor: async () => (await import("./doctor.ts")).doctorCommand,
  init: async () => (await import("./init.ts")).initCommand,
  compact: async () => (await import("./compact.ts")).compactCommand,
};

/**
 * Runs the command line `args` (`start`, `serve`, `worker`, `cron`, `enqueue`, `jobs`, …)
 * with the tasks and schedules of `options`; resolves with the exit code.
 *
 * @example
 * ```ts ignore
 * import { runCli } from "@tq/tq/cli";
 * import { registry, schedules } from "./tasks/mod.ts";
 * if (import.meta.main) Deno.exit(await runCli(Deno.args, { registry, schedules }));
 * ```
 */
export async function runCli(args: string[], options: CliOptions): Promise<number> {
  // A compiled binary started again as a handler process (`isolation: "process"`).
  if (Deno.env.get(CHILD_MARKER)) return await runChild();
  const [command, ...rest] = args;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    console.log(MAIN_HELP);
    return command ? 0 : 2;
  }
  const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  try {
    if (!load) throw new UsageError(`unknown command "${command}" (see 'tq --help')`);
    return await (await load())(rest, options);
  } catch (error) {
    console.error(`tq: ${(error as Error).message}`);
    if (error instanceof UsageError) return 2;
    if (!(error instanceof TqError) && Deno.env.get("TQ_DEBUG")) console.error(error);
    return 1;
  }
}
