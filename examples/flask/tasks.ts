/**
 * The tasks of the Flask example: external tasks (no handler), run by `worker.py` in
 * Python over tq's worker protocol. `tq serve --tasks examples/flask/tasks.ts` validates
 * and stores their jobs; `tq worker` never runs them.
 *
 * @example
 * ```ts ignore
 * // deno task tq serve --tasks examples/flask/tasks.ts
 * import { registry } from "./tasks.ts";
 * console.log(registry.list().map((task) => task.name));
 * ```
 * @module
 */
import { z } from "zod";
import { defineTask } from "../../src/registry/define_task.ts";
import { Registry } from "../../src/registry/registry.ts";

/** Makes a thumbnail of an image (in Python, with whatever imaging library the app has). */
export const resizeImage = defineTask({
  name: "resize_image",
  queue: "python",
  description: "Resize an image to a width (run by the Flask app's Python worker)",
  input: z.object({ url: z.url(), width: z.int().min(1).max(4_096) }),
  retry: { maxAttempts: 5, backoff: { baseMs: 1_000, maxMs: 60_000 } },
});

/** Sends the welcome email of a new account. */
export const sendWelcomeEmail = defineTask({
  name: "send_welcome_email",
  queue: "python",
  description: "Email a new user (run by the Flask app's Python worker)",
  input: z.object({ email: z.email() }),
});

/** The registry `--tasks examples/flask/tasks.ts` loads. */
export const registry: Registry = new Registry([resizeImage, sendWelcomeEmail]);
