/**
 * One run of a schedule: builds its job with the producer (the task's defaults and
 * schema apply) and hands it to `store.scheduleRun`, which records the run and inserts the
 * job atomically. Cron ticks pass `tickAt`; manual triggers do not.
 *
 * @example
 * ```ts ignore
 * const { outcome, job } = await runSchedule({ store, producer, schedule, tickAt });
 * ```
 * @module
 */
import type { Job } from "../job.ts";
import type { EnqueueRequest, JobProducer } from "../registry/default_producer.ts";
import type { ScheduleRunOutcome } from "../store/schedules.ts";
import type { Store } from "../store/store.ts";
import type { Schedule } from "./schedule.ts";

/** A producer that can build a job without storing it (tq's `Producer`). */
export interface JobPreparer {
  /** Builds the job of `request` (with `id` if given), or throws what is wrong with it. */
  prepare(request: EnqueueRequest, id?: string): Job;
}

/**
 * Whether a producer can build jobs without storing them, as schedule runs need.
 *
 * @example
 * ```ts
 * import { canPrepare } from "./run_schedule.ts";
 * console.assert(!canPrepare({ enqueue: () => Promise.reject(new Error("no")) }));
 * ```
 */
export function canPrepare(producer: JobProducer): producer is JobProducer & JobPreparer {
  return typeof (producer as Partial<JobPreparer>).prepare === "function";
}

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
    producer: JobPreparer;
    schedule: Schedule;
    tickAt?: number;
  },
): Promise<{ outcome: ScheduleRunOutcome; job: Job }> {
  const job = producer.prepare({ task: schedule.task, input: schedule.input, ...schedule.options });
  const outcome = await store.scheduleRun({ name: schedule.name, job, tickAt });
  return { outcome, job };
}
