/**
 * `--tasks PATH` (env `TQ_TASKS`): loads the task registry from a module that exports
 * `registry`, instead of the bundled `tasks/mod.ts`. A dynamic import, so it works under
 * `deno run`; a compiled binary keeps the tasks it was built with.
 *
 * @example
 * ```ts ignore
 * import { loadRegistry } from "./tasks_module.ts";
 * const registry = await loadRegistry("./tests/fixtures/tasks.ts");
 * console.log(registry.list().map((task) => task.name));
 * ```
 * @module
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Registry } from "../registry/registry.ts";
import { UsageError } from "./args.ts";

/**
 * The registry exported by the module at `path` (relative to the working directory), or
 * `fallback` when no path is given. A module that cannot be loaded or exports no
 * `registry` is a `UsageError` naming the path.
 *
 * @example
 * ```ts ignore
 * const registry = await loadRegistry(Deno.env.get("TQ_TASKS"), bundledRegistry);
 * ```
 */
export async function loadRegistry(
  path: string | undefined,
  fallback: Registry,
): Promise<Registry> {
  if (path === undefined || path === "") return fallback;
  let module: Record<string, unknown>;
  try {
    module = await import(pathToFileURL(resolve(path)).href);
  } catch (error) {
    throw new UsageError(`--tasks: cannot load ${path}: ${(error as Error).message}`);
  }
  if (!(module.registry instanceof Registry)) {
    throw new UsageError(`--tasks: ${path} does not export a task registry named "registry"`);
  }
  return module.registry;
}

/**
 * The URL of the module that exports the registry: `path` resolved against the working
 * directory, or the bundled `tasks/mod.ts`. Handler threads and processes load it.
 *
 * @example
 * ```ts ignore
 * console.log(tasksModuleUrl(undefined)); // file:///…/tasks/mod.ts
 * ```
 */
export function tasksModuleUrl(path: string | undefined): string {
  if (path === undefined || path === "") return new URL("../../tasks/mod.ts", import.meta.url).href;
  return pathToFileURL(resolve(path)).href;
}
