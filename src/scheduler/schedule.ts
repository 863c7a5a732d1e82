/**
 * Recurring jobs: a schedule names a cron expression (standard crontab meaning, in UTC or
 * in an IANA `timezone`) and the job to enqueue at each of its ticks. Applications list
 * theirs in `tasks/schedules.ts`; {@linkcode compileSchedules} checks them all at start-up,
 * so a bad expression or zone stops `tq cron` (and `tq start`) with one line naming the
 * schedule and the problem.
 *
 * @example
 * ```ts
 * import { defineSchedule } from "./schedule.ts";
 * export const nightly = defineSchedule({
 *   name: "nightly_cleanup",
 *   cron: "30 3 * * *",
 *   task: "noop",
 *   input: {},
 *   catchUp: "last",
 * });
 * ```
 * @module
 */
import type { EnqueueOptions } from "../registry/enqueue_options.ts";
import type { Registry } from "../registry/registry.ts";
import { type CronExpression, parseCron } from "./cron_expression.ts";
import { checkTimeZone } from "./time_zone.ts";

/**
 * What to do at start-up about ticks missed while no scheduler ran: `skip` them (the
 * default), or run the `last` one once, counted from the last tick recorded in the store.
 */
export type CatchUp = "skip" | "last";

/** The catch-up policies, for validation and help texts. */
export const CATCH_UP_POLICIES: readonly CatchUp[] = ["skip", "last"];

/** A schedule as an application declares it. */
export interface ScheduleDefinition {
  /** Unique; 1-60 letters, digits, `_` and `-` (it names a `Deno.cron` and a URL). */
  name: string;
  /** Five fields, standard crontab meaning (`0 9 * * 1-5`: weekdays at 09:00 UTC). */
  cron: string;
  /**
   * The IANA zone `cron` is read in (`"America/New_York"`); `"UTC"` when left out. At the
   * changes of daylight-saving time a skipped local time runs once right after the change,
   * a repeated one once at its first occurrence (see `zoned_cron.ts`).
   */
  timezone?: string;
  /** The task each tick enqueues. */
  task: string;
  /** The job's input, checked against the task's schema at start-up ({} when left out). */
  input?: unknown;
  /** Per-job options on top of the task's defaults. */
  options?: Pick<EnqueueOptions, "queue" | "priority" | "maxAttempts" | "timeout">;
  catchUp?: CatchUp;
  description?: string;
}

/** A checked schedule, with its parsed expression. */
export interface Schedule extends ScheduleDefinition {
  expression: CronExpression;
  /** The zone's name, checked (`"UTC"` by default). */
  timezone: string;
  input: unknown;
  catchUp: CatchUp;
}

const SCHEDULE_NAME = /^[A-Za-z0-9_-]{1,60}$/;

/**
 * Declares a schedule; checked later by {@linkcode compileSchedules}.
 *
 * @example
 * ```ts
 * import { defineSchedule } from "./schedule.ts";
 * const s = defineSchedule({ name: "hourly", cron: "0 * * * *", task: "noop" });
 * console.assert(s.name === "hourly");
 * ```
 */
export function defineSchedule(definition: ScheduleDefinition): ScheduleDefinition {
  return definition;
}

/**
 * Checks every schedule against the registry and parses its expression. Throws a
 * `TypeError` whose message names the schedule and the problem.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineTask } from "../registry/define_task.ts";
 * import { Registry } from "../registry/registry.ts";
 * import { compileSchedules } from "./schedule.ts";
 * const registry = new Registry([defineTask({ name: "noop", input: z.object({}), handler: () => null })]);
 * try {
 *   compileSchedules([{ name: "bad", cron: "0 25 * * *", task: "noop" }], registry);
 * } catch (error) {
 *   console.assert((error as Error).message === 'schedule "bad": hour: 25 is out of range 0-23');
 * }
 * try {
 *   compileSchedules([{ name: "ny", cron: "0 9 * * *", timezone: "New_York", task: "noop" }], registry);
 * } catch (error) {
 *   console.assert((error as Error).message === 'schedule "ny": unknown time zone "New_York"');
 * }
 * ```
 */
export function compileSchedules(
  definitions: readonly ScheduleDefinition[],
  registry: Registry,
): Schedule[] {
  const seen = new Set<string>();
  return definitions.map((definition) => {
    const fail = (problem: string): never => {
      throw new TypeError(`schedule "${definition.name}": ${problem}`);
    };
    if (!SCHEDULE_NAME.test(definition.name)) {
      fail("the name must be 1-60 letters, digits, _ or -");
    }
    if (seen.has(definition.name)) fail("defined twice");
    seen.add(definition.name);
    let expression: CronExpression;
    try {
      expression = parseCron(definition.cron);
    } catch (error) {
      return fail((error as Error).message);
    }
    let timezone: string;
    try {
      timezone = checkTimeZone(definition.timezone ?? "UTC");
    } catch (error) {
      return fail((error as Error).message);
    }
    const catchUp = definition.catchUp ?? "skip";
    if (!CATCH_UP_POLICIES.includes(catchUp)) fail(`catchUp must be "skip" or "last"`);
    if (!registry.has(definition.task)) fail(`unknown task "${definition.task}"`);
    const input = definition.input ?? {};
    const parsed = registry.get(definition.task).input.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      fail(`input.${issue.path.join(".")}: ${issue.message}`);
    }
    return { ...definition, expression, timezone, input, catchUp };
  });
}
