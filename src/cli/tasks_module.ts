/**
 * `--tasks PATH` (env `TQ_TASKS`): loads the task registry, and the schedules when the
 * module exports them, from a module that exports `registry` (and `schedules`), instead of
 * the ones the CLI was started with. A dynamic import, so it works under `deno run`; a
 * compiled binary keeps the tasks it was built with.
 *
 * @example
 * ```ts ignore
 * import { loadTasks } from "./tasks_module.ts";
 * const { registry } = await loadTasks("./tests/fixtures/tasks.ts", bundled);
 * console.log(registry.list().map((task) => task.name));
 * ```
 * @module
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Registry } from "../registry/registry.ts";
import { UsageError } from "./args.ts";
import type { CliOptions } from "./cli_options.ts";
import { type ProcessFacts, tasksConfigHint } from "./tasks_config_hint.ts";

/** Load errors that mean "an import of the module did not resolve". */
const UNRESOLVED = /not a dependency|import map|Relative import path|Cannot resolve/i;

/** Terminal colour codes, which Deno puts in its load errors. */
// deno-lint-ignore no-control-regex
const ANSI_COLOUR = /\x1b\[[0-9;]*m/g;

function processFacts(): ProcessFacts {
  return { mainModule: Deno.mainModule, execPath: Deno.execPath(), args: Deno.args };
}

/**
 * The tasks of the module at `path` (relative to the working directory): its `registry`,
 * and its `schedules` or none. `fallback` when no path is given. A module that cannot be
 * loaded, or exports no `registry`, is a `UsageError` naming the path.
 *
 * @example
 * ```ts ignore
 * const tasks = await loadTasks(Deno.env.get("TQ_TASKS"), { registry, schedules });
 * ```
 */
export async function loadTasks(
  path: string | undefined,
  fallback: CliOptions,
): Promise<CliOptions> {
  if (path === undefined || path === "") return fallback;
  let module: Record<string, unknown>;
  try {
    // Only known at run time. A template starting "file://" is left alone by `deno publish`
    // (nothing to rewrite) where a bare variable is reported as unanalyzable.
    module = await import(`file://${pathToFileURL(resolve(path)).pathname}`);
  } catch (error) {
    const message = (error as Error).message.replace(ANSI_COLOUR, "");
    if (!UNRESOLVED.test(message)) throw new UsageError(`--tasks: cannot load ${path}: ${message}`);
    // Deno's own hint for an unresolved import ("try running `deno add npm:…`") points the
    // wrong way here: its first line, then ours.
    const hint = tasksConfigHint(path, processFacts());
    throw new UsageError(`--tasks: cannot load ${path}: ${message.split("\n")[0]}${hint}`);
  }
  if (!(module.registry instanceof Registry)) {
    const foreign = module.registry !== undefined && module.registry !== null;
    throw new UsageError(
      foreign
        ? `--tasks: ${path} exports a "registry" that is not this tq's Registry (another copy ` +
          `of @tq/tq?)${tasksConfigHint(path, processFacts())}`
        : `--tasks: ${path} does not export a task registry named "registry"`,
    );
  }
  const schedules = module.schedules ?? [];
  if (!Array.isArray(schedules)) {
    throw new UsageError(`--tasks: ${path} exports "schedules" that is not an array`);
  }
  return { registry: module.registry, schedules };
}

/**
 * The URL of the module that exports the registry, which handler threads and processes
 * load: `path` resolved against the working directory, else `fallback` (the `tasksModule`
 * the CLI was started with), else none.
 *
 * @example
 * ```ts ignore
 * console.log(tasksModuleUrl(undefined, new URL("./tasks/mod.ts", import.meta.url)));
 * ```
 */
export function tasksModuleUrl(
  path: string | undefined,
  fallback?: string | URL,
): string | undefined {
  if (path !== undefined && path !== "") return pathToFileURL(resolve(path)).href;
  return fallback === undefined ? undefined : new URL(fallback).href;
}
