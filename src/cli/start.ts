/**
 * `tq start`: the zero-setup default. The HTTP server and a worker in one process, on an
 * embedded KV file.
 *
 * @example
 * ```ts ignore
 * await startCommand([], { registry, schedules });
 * ```
 * @module
 */
import { COMMON_HELP, parse } from "./args.ts";
import { createCron } from "./cron.ts";
import { SECURITY_HELP, securitySettings } from "./security_options.ts";
import { LIMIT_HELP, limitSettings } from "./limit_options.ts";
import { listen, LISTEN_OPTIONS, listenAddress } from "./serve.ts";
import { setup, untilSignal } from "./setup.ts";
import type { CliOptions } from "./cli_options.ts";
import { createWorker, WORKER_OPTIONS, workerSettings } from "./worker.ts";

/** Help of `tq start`. */
export const START_HELP = `Usage: tq start [QUEUE...] [options]

Runs the HTTP API, a worker and the schedules (as tq cron) in one process on a local
Deno KV file.

Options:
  --host HOST, --port PORT            as for tq serve (default 127.0.0.1:8000)
  --concurrency N, --lease DURATION,
  --shutdown-timeout DURATION,
  --result-ttl, --failure-ttl          as for tq worker
${SECURITY_HELP}
${LIMIT_HELP}
${COMMON_HELP}`;

/** Runs `tq start` until SIGINT or SIGTERM. */
export async function startCommand(args: string[], tasks: CliOptions): Promise<number> {
  const { values, positionals } = parse("start", args, { ...LISTEN_OPTIONS, ...WORKER_OPTIONS });
  if (values.help) {
    console.log(START_HELP);
    return 0;
  }
  const address = listenAddress(values);
  const settings = workerSettings(values, tasks);
  const security = securitySettings(values, address.hostname);
  const limits = limitSettings(values);
  const { connection, logger } = await setup(values, tasks);
  const worker = createWorker(connection, logger, settings, positionals);
  const server = listen(connection, logger, address, security, limits);
  const cron = createCron(connection, logger);
  await cron.start();
  worker.start();
  const signal = await untilSignal();
  logger.info("tq:stopping", { signal });
  await server.shutdown();
  await cron.stop();
  await worker.stop();
  await connection.close();
  return 0;
}
