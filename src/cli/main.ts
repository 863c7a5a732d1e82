/**
 * The `tq` command: dispatches to a subcommand and turns every error into one clear line
 * on stderr and a non-zero exit code (2 for usage, 1 for the rest).
 *
 * @example
 * ```ts ignore
 * Deno.exit(await main(["queues"]));
 * ```
 * @module
 */
import { TqError } from "../errors.ts";
import { CHILD_MARKER, runChild } from "../isolation/child_main.ts";
import { UsageError } from "./args.ts";
import { cronCommand } from "./cron.ts";
import { enqueueCommand } from "./enqueue.ts";
import { jobsCommand } from "./jobs.ts";
import { queuesCommand } from "./queues.ts";
import { statsCommand } from "./stats.ts";
import { workersCommand } from "./workers.ts";
import { schedulesCommand } from "./schedules.ts";
import { serveCommand } from "./serve.ts";
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
  jobs       list, show, retry, cancel or delete jobs
  queues     counts of jobs per queue and state
  workers    workers online: host, pid, concurrency, running jobs, last heartbeat
  stats      the dashboard's overview: jobs per state, last hour, workers
  cron       enqueue the jobs of tasks/schedules.ts at their ticks (also inside start)
  schedules  list the schedules; pause, resume or trigger one

Run 'tq COMMAND --help' for a command's options.`;

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  start: startCommand,
  serve: serveCommand,
  worker: workerCommand,
  enqueue: enqueueCommand,
  jobs: jobsCommand,
  queues: queuesCommand,
  workers: workersCommand,
  stats: statsCommand,
  cron: cronCommand,
  schedules: schedulesCommand,
};

/** Runs the command line `args`; resolves with the exit code. */
export async function main(args: string[]): Promise<number> {
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
    return await run(rest);
  } catch (error) {
    console.error(`tq: ${(error as Error).message}`);
    if (error instanceof UsageError) return 2;
    if (!(error instanceof TqError) && Deno.env.get("TQ_DEBUG")) console.error(error);
    return 1;
  }
}
