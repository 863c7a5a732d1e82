/**
 * `tq cron`: runs the schedules tq was started with, one job per tick, however many
 * `tq cron` (or `tq start`) processes run them. Also the cron part of `tq start`.
 *
 * @example
 * ```ts ignore
 * await cronCommand([], { registry, schedules });
 * ```
 * @module
 */
import { systemClock } from "../clock.ts";
import type { Connection } from "../connect.ts";
import type { Logger } from "../log.ts";
import { CronService } from "../scheduler/cron_service.ts";
import { COMMON_HELP, parse, UsageError } from "./args.ts";
import { setup, untilSignal } from "./setup.ts";
import type { CliOptions } from "./cli_options.ts";

/** Help of `tq cron`. */
export const CRON_HELP = `Usage: tq cron [options]

Enqueues the jobs of the schedules (see 'tq schedules') at each tick (standard crontab
meaning, UTC). Any number of tq cron and tq start processes may run: each tick enqueues
exactly one job. Schedules with catchUp "last" run once at start-up for ticks missed
while none ran. See 'tq schedules'.
${COMMON_HELP}`;

/**
 * The cron service of a connection's schedules.
 *
 * @example
 * ```ts ignore
 * const cron = createCron(connection, logger);
 * await cron.start();
 * ```
 */
export function createCron(connection: Connection, logger: Logger): CronService {
  const { store, producer, schedules } = connection;
  return new CronService({ store, producer, schedules, clock: systemClock, logger });
}

/** Runs `tq cron` until SIGINT or SIGTERM. */
export async function cronCommand(args: string[], tasks: CliOptions): Promise<number> {
  const { values, positionals } = parse("cron", args, {});
  if (values.help) {
    console.log(CRON_HELP);
    return 0;
  }
  if (positionals.length > 0) {
    throw new UsageError(`cron: unexpected argument "${positionals[0]}"`);
  }
  const { connection, logger } = await setup(values, tasks);
  const cron = createCron(connection, logger);
  try {
    await cron.start();
    const signal = await untilSignal();
    logger.info("cron:stopping", { signal });
  } finally {
    await cron.stop();
    await connection.close();
  }
  return 0;
}
