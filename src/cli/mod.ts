/**
 * `@tq/tq/cli`: the `tq` command line with your own tasks and schedules. Your project's
 * `main.ts` is three lines; `deno compile` makes it your own binary.
 *
 * @example
 * ```ts ignore
 * import { runCli } from "@tq/tq/cli";
 * import { registry, schedules } from "./tasks/mod.ts";
 * if (import.meta.main) Deno.exit(await runCli(Deno.args, { registry, schedules }));
 * ```
 *
 * Run directly, it is tq with the tasks (and schedules) of a project's `--tasks` module,
 * every import resolved by the project's own deno.json:
 *
 * ```sh
 * deno run -A jsr:@tq/tq/cli worker --tasks ./tasks/mod.ts
 * ```
 * @module
 */
export { MAIN_HELP, runCli } from "./main.ts";
export type { CliOptions } from "./cli_options.ts";
export { UsageError } from "./args.ts";

import { runStandalone } from "./standalone.ts";

// `deno run -A jsr:@tq/tq/cli COMMAND --tasks ./tasks/mod.ts`: tq with a project's tasks.
if (import.meta.main) Deno.exit(await runStandalone(Deno.args));
