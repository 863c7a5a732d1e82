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
import { compactCommand } from "./compact.ts";
import { CHILD_MARKER, runChild } from "../isolation/child_main.ts";
import { UsageError } from "./args.ts";
import type { CliOptions } from "./cli_options.ts";
import { cronCommand } from "./cron.ts";
import { doctorCommand } from "./doctor.ts";
import { enqueueCommand } from "./enqueue.ts";
import { initCommand } from "./init.ts";
import { jobsCommand } from "./jobs.ts";
import { queuesCommand } from "./queues.ts";
import { statsCommand } from "./stats.ts";
import { workersCommand } from "./workers.ts";
import { schedulesCommand } from "./schedules.ts";
import { serveCommand } from "./serve.ts";
import { sendEventCommand } from "./send_event.ts";
import { startCommand } from "./start.ts";
import { workerCommand } from "./worker.ts";

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

const COMMANDS: Record<string, Command> = {
  start: startCommand,
  serve: serveCommand,
  worker: workerCommand,
  enqueue: enqueueCommand,
  "send-event": sendEventCommand,
  jobs: jobsCommand,
  queues: queuesCommand,
  workers: workersCommand,
  stats: statsCommand,
  cron: cronCommand,
  schedules: schedulesCommand,
  doctor: doctorCommand,
  init: initCommand,
  compact: compactCommand,
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
  const run = COMMANDS[command];
  try {
    if (!run) throw new UsageError(`unknown command "${command}" (see 'tq --help')`);
    return await run(rest, options);
  } catch (error) {
    console.error(`tq: ${(error as Error).message}`);
    if (error instanceof UsageError) return 2;
    if (!(error instanceof TqError) && Deno.env.get("TQ_DEBUG")) console.error(error);
    return 1;
  }
}
