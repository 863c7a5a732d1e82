/**
 * The maintenance `tq serve` runs when its registry has external tasks: their jobs are
 * run by protocol workers, which are not tq processes, so the server promotes their
 * retries, rescues their abandoned leases, prunes their ended jobs and watches batches
 * and callbacks, as every `tq worker` does. Running these in several processes at once is
 * safe: each writes only if the job is still as it read it.
 *
 * @example
 * ```ts ignore
 * const services = serveMaintenance(connection, logger);
 * services.forEach((s) => s.start());
 * await Promise.all(services.map((s) => s.stop()));
 * ```
 * @module
 */
import { systemClock } from "../clock.ts";
import type { Connection } from "../connect.ts";
import type { Logger } from "../log.ts";
import { BatchWatcher } from "../batches/batch_watcher.ts";
import { CallbackSender } from "../callbacks/callback_sender.ts";
import { ExpirySweeper } from "../maintenance/expiry_sweeper.ts";
import { Promoter } from "../maintenance/promoter.ts";
import { Pruner } from "../maintenance/pruner.ts";
import { Rescuer } from "../maintenance/rescuer.ts";
import type { Service } from "../service.ts";
import { WORKER_DEFAULTS } from "../defaults.ts";

/** How long failed jobs of protocol workers are kept, as `tq worker`'s default. */
const FAILURE_TTL_MS = WORKER_DEFAULTS.failureTtlMs;

/**
 * The services to run beside the API, none when every task has a handler (`tq worker`
 * processes do the maintenance then).
 *
 * @example
 * ```ts ignore
 * for (const service of serveMaintenance(connection, logger)) service.start();
 * ```
 */
export function serveMaintenance(connection: Connection, logger: Logger): Service[] {
  const { store, registry, callbackAllow } = connection;
  if (registry.externalQueues.size === 0) return [];
  const clock = systemClock;
  logger.info("serve:maintenance", {
    queues: [...registry.externalQueues],
    message: "external tasks: this server promotes, rescues and prunes their jobs",
  });
  return [
    new Promoter({ store, clock, logger }),
    new Rescuer({ store, clock, logger, failureTtlMs: FAILURE_TTL_MS }),
    new Pruner({ store, clock, logger }),
    new BatchWatcher({ store, clock, logger }),
    new CallbackSender({ store, clock, logger, allow: callbackAllow }),
    new ExpirySweeper({ store, clock, logger, failureTtlMs: FAILURE_TTL_MS }),
  ];
}
