/**
 * Durable steps: `ctx.step`, `ctx.sleep`, `ctx.sleepUntil` and `ctx.waitForEvent`. A step's
 * outcome is written into the job's record before the handler goes on; when the handler is
 * entered again (a retry, a rescue after a crash, the end of a sleep or a wait) finished
 * steps return what they returned the first time instead of running again. A sleep or a
 * wait does not hold the worker: it throws a {@linkcode JobSuspended} the worker turns
 * into `scheduled` or `waiting` (`suspendJob` in `src/transitions/steps.ts`).
 *
 * Replay is checked: steps must be reached in the order the record holds them, each name
 * once, one at a time; anything else is a `StepError` naming the step.
 *
 * @example
 * ```ts
 * import { DurableSteps } from "./durable_steps.ts";
 * const kept: unknown[] = [];
 * const steps = new DurableSteps({
 *   steps: [],
 *   attempt: 1,
 *   now: () => 0,
 *   record: async (step) => void kept.push(step),
 * });
 * console.assert(await steps.step("export", () => 42) === 42 && kept.length === 1);
 * ```
 * @module
 */
import { StepError } from "../errors.ts";
import type { JobStep, JobStepKind } from "../job.ts";
import type { StepMethods, WaitForEventOptions } from "../registry/define_task.ts";

/** What {@linkcode DurableSteps} reads and writes through. */
export interface StepRecords {
  /** The steps in the job's record when the attempt began. */
  steps: readonly JobStep[];
  /** This attempt's number. */
  attempt: number;
  now(): number;
  /** Stores a step's outcome in the job's record; resolves once written. */
  record(step: JobStep): Promise<void>;
}

/**
 * Thrown by a sleep or a wait to leave the worker; the worker writes `step` with the job.
 * A handler must let it through (not catch it); a step reached after it is a `StepError`.
 */
export class JobSuspended extends Error {
  constructor(readonly step: JobStep) {
    super(`job suspended at step "${step.name}"`);
    this.name = "JobSuspended";
  }
}

/** Longest error message kept with a failed step. */
const MAX_STEP_MESSAGE = 2_000;

function asJson(name: string, value: unknown): unknown {
  try {
    return value === undefined ? null : JSON.parse(JSON.stringify(value));
  } catch (error) {
    throw new StepError(name, `step "${name}" returned a value that is not JSON: ${error}`);
  }
}

/**
 * The steps of one attempt of one job.
 *
 * @example
 * ```ts ignore
 * const steps = new DurableSteps({ steps: job.steps ?? [], attempt, now, record });
 * const ctx = { ...ctx, ...steps.methods() };
 * ```
 */
export class DurableSteps {
  readonly #records: StepRecords;
  #position = 0;
  readonly #names = new Set<string>();
  /** The step a `ctx.step` is running now, if any. */
  #running: string | undefined;
  /** The sleep or wait the handler stopped at, once it did. */
  suspension: JobStep | undefined;

  constructor(records: StepRecords) {
    this.#records = records;
  }

  /** The methods, bound, for a handler's context. */
  methods(): StepMethods {
    return {
      step: (name, fn) => this.step(name, fn),
      sleep: (name, ms) => this.sleep(name, ms),
      sleepUntil: (name, until) => this.sleepUntil(name, until),
      waitForEvent: (name, options) => this.waitForEvent(name, options),
    };
  }

  /** See {@linkcode StepMethods.step}. */
  async step<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
    const stored = this.#reach(name, "run");
    if (stored?.state === "finished") return stored.result as T;
    const { attempt, now } = this.#records;
    const startedAt = now();
    this.#running = name;
    let value: unknown;
    try {
      value = await fn();
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      const message = failure.message.slice(0, MAX_STEP_MESSAGE);
      // Kept for the timeline only: the attempt fails with the error either way.
      await this.#records.record({
        name,
        kind: "run",
        state: "failed",
        attempt,
        startedAt,
        finishedAt: now(),
        error: { name: failure.name, message },
      }).catch(() => {});
      throw error;
    } finally {
      this.#running = undefined;
    }
    const result = asJson(name, value);
    const finishedAt = now();
    await this.#records.record({
      name,
      kind: "run",
      state: "finished",
      attempt,
      startedAt,
      finishedAt,
      result,
    });
    return result as T;
  }

  /** See {@linkcode StepMethods.sleep}. */
  sleep(name: string, ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) {
      return Promise.reject(new RangeError(`sleep "${name}": ms must be a number of 0 or more`));
    }
    return this.sleepUntil(name, this.#records.now() + ms);
  }

  /** See {@linkcode StepMethods.sleepUntil}. */
  async sleepUntil(name: string, until: Date | number): Promise<void> {
    const at = typeof until === "number" ? until : until.getTime();
    if (!Number.isFinite(at)) throw new RangeError(`sleepUntil "${name}": not a valid time`);
    const stored = this.#reach(name, "sleep");
    if (stored?.state === "finished") return;
    const { attempt, now } = this.#records;
    // A sleep already begun ends when it was first meant to, whatever `ms` says now.
    const step: JobStep = {
      name,
      kind: "sleep",
      state: "sleeping",
      attempt,
      startedAt: stored?.startedAt ?? now(),
      until: stored?.until ?? at,
    };
    if (now() < step.until!) throw this.#suspend(step);
    await this.#records.record({ ...step, state: "finished", finishedAt: now() });
  }

  /** See {@linkcode StepMethods.waitForEvent}. */
  waitForEvent<T>(name: string, options: WaitForEventOptions): Promise<T | null> {
    // The executor turns a throw of #wait into a rejection, as an async function would.
    return new Promise((resolve) => resolve(this.#wait<T>(name, options)));
  }

  #wait<T>(name: string, options: WaitForEventOptions): T | null {
    const { event, key = "", timeoutMs } = options;
    if (typeof event !== "string" || event === "") {
      throw new TypeError(`waitForEvent "${name}": event must be a non-empty string`);
    }
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new RangeError(`waitForEvent "${name}": timeoutMs must be a number above 0`);
    }
    const stored = this.#reach(name, "event");
    if (stored?.state === "finished") return stored.result as T | null;
    const { attempt, now } = this.#records;
    const startedAt = now();
    throw this.#suspend({
      name,
      kind: "event",
      state: "waiting",
      attempt,
      startedAt,
      until: startedAt + timeoutMs,
      event,
      key,
    });
  }

  /** The replay guard: the stored step at this position, which must be this one. */
  #reach(name: string, kind: JobStepKind): JobStep | undefined {
    if (typeof name !== "string" || name === "") {
      throw new TypeError("a step needs a name: a non-empty string, unique in the job");
    }
    if (this.suspension) {
      throw new StepError(
        name,
        `step "${name}" was reached after the job suspended at "${this.suspension.name}": ` +
          "a handler must not catch the suspension of ctx.sleep or ctx.waitForEvent",
      );
    }
    if (this.#running !== undefined) {
      throw new StepError(
        name,
        `step "${name}" began while step "${this.#running}" was running: await each step ` +
          "before the next, so they are recorded and replayed in one order",
      );
    }
    if (this.#names.has(name)) {
      throw new StepError(name, `step name "${name}" is used twice in one job`);
    }
    this.#names.add(name);
    const position = this.#position++;
    const stored = this.#records.steps[position];
    if (stored && (stored.name !== name || stored.kind !== kind)) {
      throw new StepError(
        name,
        `replay reached step "${name}" (${kind}) where the job's record has step ` +
          `"${stored.name}" (${stored.kind}) at position ${position + 1}: steps must be ` +
          "reached in the same order on every attempt",
      );
    }
    return stored;
  }

  #suspend(step: JobStep): JobSuspended {
    this.suspension = step;
    return new JobSuspended(step);
  }
}
