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
 * @module
 */
export { MAIN_HELP, runCli } from "./main.ts";
export type { CliOptions } from "./cli_options.ts";
export { UsageError } from "./args.ts";
