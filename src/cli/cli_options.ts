/**
 * What a `tq` command line runs with: the task registry and the schedules. tq's own
 * `main.ts` passes the bundled `tasks/mod.ts`; an application's `main.ts` passes its own.
 *
 * @example
 * ```ts
 * import type { CliOptions } from "./cli_options.ts";
 * import { Registry } from "../registry/registry.ts";
 * const options: CliOptions = { registry: new Registry([]), schedules: [] };
 * console.assert(options.schedules?.length === 0);
 * ```
 * @module
 */
import type { Registry } from "../registry/registry.ts";
import type { ScheduleDefinition } from "../scheduler/schedule.ts";

/** The tasks and schedules every subcommand works with. */
export interface CliOptions {
  /** Every task the commands may enqueue, run or show. */
  registry: Registry;
  /** Recurring jobs for `tq cron`, `tq start` and `tq schedules` (none when left out). */
  schedules?: readonly ScheduleDefinition[];
  /**
   * The module that exports `registry` (`new URL("./tasks/mod.ts", import.meta.url)`):
   * handler threads and processes load it to find the handlers of tasks with
   * `isolation: "thread" | "process"`. `--tasks PATH` stands in for it.
   */
  tasksModule?: string | URL;
}
