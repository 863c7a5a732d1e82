/**
 * A task that does nothing: what benchmarks measure, tq's own cost per job.
 *
 * @example
 * ```ts ignore
 * import { noop } from "./noop.ts";
 * await noop.enqueue({});
 * ```
 * @module
 */
import { z } from "zod";
import { defineTask } from "../src/registry/define_task.ts";

/** Returns at once; `sleep_ms` makes it wait that long first (the 5 ms benchmark job). */
export const noop = defineTask({
  name: "noop",
  description: "Do nothing (benchmarks); optionally wait sleep_ms first.",
  input: z.object({ sleep_ms: z.int().min(0).max(60_000).optional() }).default({}),
  async handler({ sleep_ms }) {
    if (sleep_ms) await new Promise((resolve) => setTimeout(resolve, sleep_ms));
    return null;
  },
});
