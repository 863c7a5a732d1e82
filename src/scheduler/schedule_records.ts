/**
 * What tq keeps of each schedule, as keyed records (`src/store/records.ts`): its last run
 * in the space `schedule` (`{ lastTickAt?, lastRunAt?, lastJobId? }`) and, while it is
 * paused, a record in the space `schedule_pause`. A run reads both and writes its job and
 * the new run record in one record commit checked against both as read, which is what
 * makes a tick enqueue exactly one job however many `tq cron` processes fire it (Deno.cron
 * fires in every process), and a pause that lands meanwhile hold the tick back.
 *
 * @example
 * ```ts
 * import { openKvStore } from "../store/kv/kv_store.ts";
 * import { scheduleGetMany, schedulePause } from "./schedule_records.ts";
 * const store = await openKvStore(":memory:");
 * await schedulePause(store, { name: "nightly", paused: true });
 * const [nightly] = await scheduleGetMany(store, { names: ["nightly"] });
 * console.assert(nightly.paused && nightly.lastRunAt === undefined);
 * store.close();
 * ```
 * @module
 */
import { StoreUnavailableError } from "../errors.ts";
import type { Job } from "../job.ts";
import type { Store } from "../store/store.ts";

/** The record space of schedules' runs. */
export const SCHEDULE_SPACE = "schedule";
/** The record space of paused schedules: a record (`true`) while paused. */
export const SCHEDULE_PAUSE_SPACE = "schedule_pause";

/** Reads and tries again this many times while other writers change the schedule. */
const ATTEMPTS = 20;

/** A schedule as tq keeps it; a schedule never run has only name and `paused`. */
export interface ScheduleRecord {
  name: string;
  paused: boolean;
  /** The latest cron tick (epoch ms, a minute start) that enqueued a job. */
  lastTickAt?: number;
  /** When its latest job (tick or manual trigger) was enqueued. */
  lastRunAt?: number;
  lastJobId?: string;
}

/** The run record: a schedule's record without its name and pause. */
type LastRun = Omit<ScheduleRecord, "name" | "paused">;

/** What became of a run: `duplicate` when that tick or a later one already ran. */
export type ScheduleRunOutcome = "enqueued" | "duplicate" | "paused";

/** What {@linkcode scheduleRun} takes. */
export interface ScheduleRunParams {
  name: string;
  /** The job to insert (from `Producer.prepare`). */
  job: Job;
  /**
   * The cron tick this run is for. With it, the run happens only if no tick at or after it
   * is recorded and the schedule is not paused; without it (a manual trigger) it always does.
   */
  tickAt?: number;
}

/** The records a schedule's run and pause are kept in. */
const runAt = (name: string) => ({ space: SCHEDULE_SPACE, key: name });
const pauseAt = (name: string) => ({ space: SCHEDULE_PAUSE_SPACE, key: name });

/**
 * Inserts a schedule's job and records the run, in one record commit. With `tickAt`,
 * nothing is written (`duplicate`) when that tick or a later one is already recorded, or
 * (`paused`) while the schedule is paused: concurrent runs of one tick enqueue exactly one
 * job. A job chained under a concurrency key is inserted right after the commit that
 * records its run. Throws `StoreUnavailableError` when the schedule keeps changing under it.
 *
 * @example
 * ```ts ignore
 * const outcome = await scheduleRun(store, { name: "nightly", job, tickAt: Date.UTC(2026, 0, 1) });
 * ```
 */
export async function scheduleRun(
  store: Pick<Store, "recordGet" | "recordCommit" | "jobInsertMany">,
  { name, job, tickAt }: ScheduleRunParams,
): Promise<ScheduleRunOutcome> {
  // A record commit does not chain jobs under a key (it would read the key's lanes).
  const chained = job.group !== undefined || job.concurrencyKey !== undefined;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const [run, pause] = await Promise.all([
      store.recordGet(runAt(name)),
      tickAt === undefined ? null : store.recordGet(pauseAt(name)),
    ]);
    const last = (run?.value ?? {}) as LastRun;
    if (tickAt !== undefined) {
      if (last.lastTickAt !== undefined && last.lastTickAt >= tickAt) return "duplicate";
      if (pause) return "paused";
    }
    const next: LastRun = {
      ...last,
      lastRunAt: job.createdAt,
      lastJobId: job.id,
      ...(tickAt === undefined ? {} : { lastTickAt: tickAt }),
    };
    const written = await store.recordCommit({
      checks: [
        { ...runAt(name), version: run?.version ?? null },
        ...tickAt === undefined ? [] : [{ ...pauseAt(name), version: null }],
      ],
      puts: [{ ...runAt(name), value: next }],
      jobs: chained ? [] : [job],
    });
    if (!written) continue;
    // Linked as jobInsertMany links it, once the run is recorded: a crash in between loses
    // this tick's job (at most once), and never enqueues it twice.
    if (chained) await store.jobInsertMany({ jobs: [job] });
    return "enqueued";
  }
  throw new StoreUnavailableError(`schedule "${name}" kept changing; try again`);
}

/**
 * The records of `names`, in order; a schedule never seen reads `{ name, paused: false }`.
 *
 * @example
 * ```ts ignore
 * const [nightly] = await scheduleGetMany(store, { names: ["nightly"] });
 * ```
 */
export function scheduleGetMany(
  store: Pick<Store, "recordGet">,
  { names }: { names: string[] },
): Promise<ScheduleRecord[]> {
  return Promise.all(names.map(async (name) => {
    const [run, pause] = await Promise.all([
      store.recordGet(runAt(name)),
      store.recordGet(pauseAt(name)),
    ]);
    return { name, paused: pause !== null, ...run?.value as LastRun | undefined };
  }));
}

/**
 * Pauses or resumes a schedule's ticks (manual runs still happen).
 *
 * @example
 * ```ts ignore
 * await schedulePause(store, { name: "nightly", paused: true });
 * ```
 */
export async function schedulePause(
  store: Pick<Store, "recordPut" | "recordDelete">,
  { name, paused }: { name: string; paused: boolean },
): Promise<void> {
  if (paused) await store.recordPut({ ...pauseAt(name), value: true });
  else await store.recordDelete(pauseAt(name));
}
