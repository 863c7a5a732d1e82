/**
 * Tasks of the `heavy` bench case (`heavy.ts`): a no-op and a handler that computes for
 * `ms` without awaiting. Threads and child processes load this module by URL.
 *
 * @example
 * ```ts ignore
 * import { registry } from "./heavy_tasks.ts";
 * ```
 * @module
 */
import { z } from "zod";
import { defineTask } from "../src/registry/define_task.ts";
import { Registry } from "../src/registry/registry.ts";

/** The tasks of the heavy bench. */
export const registry: Registry = new Registry([
  defineTask({ name: "noop", input: z.unknown(), handler: () => null }),
  defineTask({
    name: "cpu",
    input: z.object({ ms: z.number() }),
    handler: ({ ms }) => {
      const end = performance.now() + ms;
      let n = 0;
      while (performance.now() < end) n++;
      return n;
    },
  }),
]);
