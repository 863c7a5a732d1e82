/**
 * The lecture notes' notification service: a slow email API (about 3 s a call) that the
 * web app must not wait for.
 *
 * @example
 * ```ts ignore
 * import { sendNotification } from "./send_notification.ts";
 * await sendNotification.enqueue({ email: "ada@example.com", message: "Your report is ready" });
 * ```
 * @module
 */
import { z } from "zod";
import { abortableSleep } from "../src/abortable_sleep.ts";
import { defineTask } from "../src/registry/define_task.ts";

/** How long the simulated email API takes, in ms (`TQ_EMAIL_LATENCY_MS` overrides it). */
const EMAIL_API_MS = Number(Deno.env.get("TQ_EMAIL_LATENCY_MS") ?? 3_000);

/** Sends one email through a (simulated) provider. */
export const sendNotification = defineTask({
  name: "send_notification",
  description: "Send an email notification through a slow email API (~3 s).",
  queue: "notifications",
  input: z.object({
    email: z.email(),
    message: z.string().min(1).max(10_000),
  }),
  retry: { maxAttempts: 5, backoff: { baseMs: 2_000, maxMs: 300_000 } },
  timeout: 30_000,
  async handler({ email, message }, ctx) {
    ctx.log("calling email API", { email });
    await abortableSleep(EMAIL_API_MS, ctx.signal);
    return { status: "sent", email, characters: message.length, sent_at: new Date().toISOString() };
  },
});
