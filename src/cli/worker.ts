/**
 * `tq worker`: claims and runs jobs until SIGINT or SIGTERM, then shuts down gracefully.
 *
 * @example
 * ```ts ignore
 * await workerCommand(["urgent", "default", "--concurrency", "20"], { registry, schedules });
 * ```
 * @module
 */
import type { Connection } from "../connect.ts";
import type { Logger } from "../log.ts";
import { registryQueues, Worker } from "../worker/mod.ts";
import { type Isolation, ISOLATIONS } from "../registry/define_task.ts";
import { WORKER_DEFAULTS } from "../defaults.ts";
import {
  COMMON_HELP,
  parse,
  parseDuration,
  parseInteger,
  showDuration,
  UsageError,
} from "./args.ts";
import { tasksModuleUrl } from "./tasks_module.ts";
import { setup, untilSignal } from "./setup.ts";
import type { CliOptions } from "./cli_options.ts";

/** The defaults of `WORKER_DEFAULTS` as the options are written. */
const DEFAULT = {
  concurrency: `${WORKER_DEFAULTS.concurrency}`,
  lease: showDuration(WORKER_DEFAULTS.leaseMs),
  shutdownTimeout: showDuration(WORKER_DEFAULTS.shutdownTimeoutMs),
  resultTtl: showDuration(WORKER_DEFAULTS.resultTtlMs),
  failureTtl: showDuration(WORKER_DEFAULTS.failureTtlMs),
};

/** Help of `tq worker`. */
export const WORKER_HELP = `Usage: tq worker [QUEUE...] [options]

Runs jobs from the named queues, earlier queues first (tq worker urgent default low).
Without queue names: every queue the registered tasks use, in task order, then "default".

Options:
  --concurrency N          jobs run at once by this process (default ${DEFAULT.concurrency})
  --lease DURATION         visibility timeout, renewed while a job runs (default ${DEFAULT.lease})
  --shutdown-timeout DUR   on SIGINT/SIGTERM, how long running jobs may finish before
                           they are released to other workers (default ${DEFAULT.shutdownTimeout})
  --isolation MODE         where handlers of tasks without their own run: inline (the
                           worker's event loop; a lease keeper thread keeps CPU-bound
                           jobs' leases), thread (a pool of Web Workers) or process
                           (child processes); default inline
  --result-ttl DURATION    how long finished jobs are kept (default ${DEFAULT.resultTtl})
  --failure-ttl DURATION   how long failed and canceled jobs are kept (default ${DEFAULT.failureTtl})
${COMMON_HELP}`;

/** Worker options shared by `worker` and `start`. */
export const WORKER_OPTIONS = {
  concurrency: { type: "string" },
  lease: { type: "string" },
  "shutdown-timeout": { type: "string" },
  isolation: { type: "string" },
  "result-ttl": { type: "string" },
  "failure-ttl": { type: "string" },
} as const;

/** The worker settings given on the command line, checked. */
export type WorkerSettings = ReturnType<typeof workerSettings>;

/** Checks the worker options; throws `UsageError` before anything is opened. */
export function workerSettings(
  values: { [K in keyof typeof WORKER_OPTIONS]?: string } & { tasks?: string },
  tasks: Pick<CliOptions, "tasksModule"> = {},
) {
  const isolation = values.isolation ?? "inline";
  if (!ISOLATIONS.includes(isolation as Isolation)) {
    throw new UsageError(`--isolation must be one of ${ISOLATIONS.join(", ")}`);
  }
  return {
    isolation: isolation as Isolation,
    tasksModule: tasksModuleUrl(values.tasks ?? Deno.env.get("TQ_TASKS"), tasks.tasksModule),
    concurrency: parseInteger(
      "--concurrency",
      values.concurrency ?? DEFAULT.concurrency,
      1,
      10_000,
    ),
    leaseMs: parseDuration("--lease", values.lease ?? DEFAULT.lease),
    shutdownTimeoutMs: parseDuration(
      "--shutdown-timeout",
      values["shutdown-timeout"] ?? DEFAULT.shutdownTimeout,
    ),
    resultTtlMs: parseDuration("--result-ttl", values["result-ttl"] ?? DEFAULT.resultTtl),
    failureTtlMs: parseDuration("--failure-ttl", values["failure-ttl"] ?? DEFAULT.failureTtl),
  };
}

/**
 * Builds a worker on `connection` for `queues` (all the registry's when empty). Queues of
 * external tasks are left out, and the log says so: only protocol workers claim them.
 */
export function createWorker(
  connection: Connection,
  logger: Logger,
  settings: WorkerSettings,
  queues: string[],
): Worker {
  const { registry } = connection;
  const external = registry.externalQueues;
  if (external.size > 0) {
    const tasks = registry.list().filter((task) => task.external).map((task) => task.name);
    logger.info("worker:external_queues_skipped", {
      queues: [...external],
      tasks,
      message: "jobs of external tasks are claimed only by protocol workers (POST /worker/claim)",
    });
  }
  const chosen = queues.filter((queue) => !external.has(queue));
  if (queues.length > 0 && chosen.length === 0) {
    throw new UsageError(
      `queues ${queues.join(", ")} hold external tasks only: protocol workers run those`,
    );
  }
  return new Worker({
    store: connection.store,
    registry,
    callbackAllow: connection.callbackAllow,
    logger,
    queues: chosen.length > 0 ? chosen : registryQueues(registry),
    storeLocation: connection.location,
    ...settings,
  });
}

/** Runs `tq worker` until SIGINT or SIGTERM. */
export async function workerCommand(args: string[], tasks: CliOptions): Promise<number> {
  const { values, positionals } = parse("worker", args, WORKER_OPTIONS);
  if (values.help) {
    console.log(WORKER_HELP);
    return 0;
  }
  const settings = workerSettings(values, tasks);
  const { connection, logger } = await setup(values, tasks);
  const worker = createWorker(connection, logger, settings, positionals);
  worker.start();
  const signal = await untilSignal();
  logger.info("worker:stopping", { signal });
  await worker.stop();
  await connection.close();
  return 0;
}
