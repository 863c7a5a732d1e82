/**
 * One run of a schedule: builds its job with the producer (the task's defaults and
 * schema apply) and hands it to `scheduleRun` (`schedule_records.ts`), which records the
 * run and inserts the job atomically. Cron ticks pass `tickAt`; manual triggers do not.
 *
 * @example
 * ```ts ignore
 * const { outcome, job } = await runSchedule({ store, producer, schedule, tickAt });
 * ```
 * @module
 */
import type { Job } from "../job.ts";
import type { Producer } from "../producer.ts";
import { scheduleRun, type ScheduleRunOutcome } from "./schedule_records.ts";
import type { Store } from "../store/store.ts";
import type { Schedule } from "./schedule.ts";

/**
 * Runs `schedule` once, for the cron tick `tickAt` or (without it) by hand.
 *
 * @example
 * ```ts ignore
 * const { job } = await runSchedule({ store, producer, schedule }); // a manual trigger
 * ```
 */
export async function runSchedule(
  { store, producer, schedule, tickAt }: {
    store: Store;
    producer: Producer;
    schedule: Schedule;
    tickAt?: number;
  },
): Promise<{ outcome: ScheduleRunOutcome; job: Job }> {
  const job = producer.prepare({ task: schedule.task, input: schedule.input, ...schedule.options });
  const outcome = await scheduleRun(store, { name: schedule.name, job, tickAt });
  return { outcome, job };
}
