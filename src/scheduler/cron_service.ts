/**
 * The cron service behind `tq cron` (and inside `tq start`): registers one `Deno.cron` per
 * schedule, with its expression translated to Deno's weekday numbers, or every minute for a
 * schedule in a time zone (`deno_cron.ts`), and at each firing that is one of the
 * schedule's minutes (`zoned_cron.ts`) enqueues that tick's job through `scheduleRun`
 * with the tick's UTC minute as its key, whose atomic check makes the tick a no-op in every
 * other process that fires it too. At start it catches up the schedules whose policy is
 * `last`, from the last tick recorded in the store.
 *
 * Deno.cron registrations last as long as the process unless their signal aborts: `stop()`
 * aborts it. Tests inject `register` and a `FakeClock` and fire ticks by hand.
 *
 * @example
 * ```ts ignore
 * const cron = new CronService({ store, producer, schedules, clock: systemClock, logger });
 * await cron.start();
 * await cron.stop();
 * ```
 * @module
 */
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import { scheduleGetMany, type ScheduleRunOutcome } from "./schedule_records.ts";
import type { Store } from "../store/store.ts";
import { denoCronFor } from "./deno_cron.ts";
import type { Schedule } from "./schedule.ts";
import type { Producer } from "../producer.ts";
import { runSchedule } from "./run_schedule.ts";
import { firesAt, previousFire } from "./zoned_cron.ts";

/** How `Deno.cron` is called; replaced in tests. */
export type CronRegister = (
  name: string,
  schedule: string,
  options: { signal: AbortSignal },
  handler: () => Promise<void>,
) => void;

/** A firing this early before a minute starts still counts for that minute. */
export const EARLY_FIRE_MS = 1_000;

const MINUTE_MS = 60_000;

/** What a {@linkcode CronService} needs. */
export interface CronServiceOptions {
  store: Store;
  producer: Producer;
  schedules: Schedule[];
  clock: Clock;
  logger: Logger;
  /** `Deno.cron` unless a test says otherwise. */
  register?: CronRegister;
}

/**
 * The `Deno.cron` name of a schedule (Deno allows `[A-Za-z0-9 _-]`, 64 characters).
 *
 * @example
 * ```ts
 * import { denoCronName } from "./cron_service.ts";
 * console.assert(denoCronName("nightly") === "tq nightly");
 * ```
 */
export function denoCronName(schedule: string): string {
  return `tq ${schedule}`;
}

/**
 * Enqueues each schedule's job once per tick.
 *
 * @example
 * ```ts ignore
 * const cron = new CronService({ store, producer, schedules, clock, logger });
 * await cron.start(shutdown.signal);
 * ```
 */
export class CronService {
  readonly #o: CronServiceOptions;
  readonly #controller = new AbortController();
  readonly #inFlight = new Set<Promise<unknown>>();
  #started = false;

  constructor(options: CronServiceOptions) {
    this.#o = options;
  }

  /**
   * Catches up missed ticks (policy `last`), then registers every schedule with Deno.cron.
   * It also stops when `signal` aborts. Later calls do nothing.
   */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    signal?.addEventListener("abort", () => void this.stop(), { once: true });
    const { schedules, logger } = this.#o;
    await this.#catchUp();
    const register = this.#o.register ?? Deno.cron;
    for (const schedule of schedules) {
      const handler = () => this.#track(this.fire(schedule));
      register(denoCronName(schedule.name), denoCronFor(schedule.expression, schedule.timezone), {
        signal: this.#controller.signal,
      }, handler);
    }
    logger.info("cron:started", { schedules: schedules.map((s) => s.name) });
  }

  /** Unregisters every schedule and waits for the ticks being enqueued. Safe to repeat. */
  async stop(): Promise<void> {
    this.#controller.abort();
    while (this.#inFlight.size > 0) await Promise.allSettled(this.#inFlight);
  }

  /**
   * One firing of a schedule's Deno.cron: enqueues the tick of the minute it fired in,
   * unless that minute is not one of the schedule's (Deno.cron may fire more often, see
   * `deno_cron.ts`). Resolves with what happened, or null for a minute not of the schedule.
   */
  async fire(schedule: Schedule): Promise<ScheduleRunOutcome | null> {
    const now = this.#o.clock.now();
    const tickAt = Math.floor((now + EARLY_FIRE_MS) / MINUTE_MS) * MINUTE_MS;
    if (!firesAt(schedule.expression, schedule.timezone, tickAt)) return null;
    return await this.#run(schedule, tickAt, "cron:tick");
  }

  async #catchUp(): Promise<void> {
    const due = this.#o.schedules.filter((s) => s.catchUp === "last");
    if (due.length === 0) return;
    const records = await scheduleGetMany(this.#o.store, { names: due.map((s) => s.name) });
    const now = this.#o.clock.now();
    await Promise.all(due.map(async (schedule, i) => {
      const { lastTickAt } = records[i];
      const missed = previousFire(schedule.expression, schedule.timezone, now);
      if (lastTickAt === undefined || missed === null || missed <= lastTickAt) return;
      await this.#run(schedule, missed, "cron:caught_up");
    }));
  }

  async #run(schedule: Schedule, tickAt: number, event: string): Promise<ScheduleRunOutcome> {
    const { store, producer, logger } = this.#o;
    const { outcome, job } = await runSchedule({ store, producer, schedule, tickAt });
    logger.info(event, {
      schedule: schedule.name,
      tick_at: new Date(tickAt).toISOString(),
      outcome,
      ...(outcome === "enqueued" ? { job_id: job.id } : {}),
    });
    return outcome;
  }

  /** Keeps a firing's promise for `stop()`; a failure is logged, never thrown at Deno.cron. */
  async #track(firing: Promise<unknown>): Promise<void> {
    const logged = firing.catch((error) =>
      this.#o.logger.error("cron:error", { error: String(error) })
    );
    this.#inFlight.add(logged);
    await logged;
    this.#inFlight.delete(logged);
  }
}
