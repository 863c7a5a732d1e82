/**
 * The lecture notes' account deletion, written with durable steps: export the user's data,
 * give them a grace period to change their mind, delete them from each service, and send
 * the confirmation. Each step runs once for the job whatever happens around it: a retry
 * after one service failed, or a worker killed mid-way, replays the finished steps from the
 * job's record instead of exporting or emailing twice. The grace period holds no worker:
 * the job is `waiting` until `POST /events` with
 * `{"event": "account.deletion_canceled", "key": "<user_id>"}` or the period's end.
 *
 * @example
 * ```ts ignore
 * import { deleteAccount } from "./account_deletion.ts";
 * await deleteAccount.enqueue({ user_id: "u42", email: "ada@example.com" });
 * // changed their mind within the grace period:
 * await sendEvent({ event: "account.deletion_canceled", key: "u42" });
 * ```
 * @module
 */
import { z } from "zod";
import { abortableSleep } from "../src/abortable_sleep.ts";
import { defineTask } from "../src/registry/define_task.ts";

/** The services that hold a user's data. */
export const ACCOUNT_SERVICES = ["billing", "storage", "analytics", "mailing_list"] as const;
/** The event that cancels a pending deletion, keyed by user id. */
export const DELETION_CANCELED = "account.deletion_canceled";
/** How long a (simulated) service call takes, in ms (`TQ_SERVICE_LATENCY_MS` overrides it). */
const SERVICE_MS = Number(Deno.env.get("TQ_SERVICE_LATENCY_MS") ?? 200);
const DAY_MS = 86_400_000;

/** A (simulated) call to one of the services. */
async function call(service: string, signal: AbortSignal): Promise<void> {
  await abortableSleep(SERVICE_MS, signal);
  if (signal.aborted) throw signal.reason;
  void service;
}

/** Deletes a user's account across every service, once, after a grace period. */
export const deleteAccount = defineTask({
  name: "delete_account",
  description: "Export a user's data, wait out a grace period, delete it from every service " +
    "and confirm by email; each step once (durable steps).",
  queue: "accounts",
  input: z.object({
    user_id: z.string().min(1).max(200),
    email: z.email(),
    services: z.array(z.enum(ACCOUNT_SERVICES)).min(1).default([...ACCOUNT_SERVICES]),
    grace_period_ms: z.int().min(1).max(30 * DAY_MS).default(DAY_MS),
  }),
  retry: { maxAttempts: 10, backoff: { baseMs: 5_000, maxMs: 600_000 } },
  timeout: 60_000,
  async handler({ user_id, email, services, grace_period_ms }, ctx) {
    const archive = await ctx.step("export_data", async () => {
      await call("export", ctx.signal);
      return { url: `https://exports.example.com/${encodeURIComponent(user_id)}.zip` };
    });
    const canceled = await ctx.waitForEvent("grace_period", {
      event: DELETION_CANCELED,
      key: user_id,
      timeoutMs: grace_period_ms,
    });
    if (canceled !== null) {
      await ctx.step("send_kept_notice", () => call("email", ctx.signal));
      return { status: "kept", user_id };
    }
    for (const service of services) {
      await ctx.step(`delete_from_${service}`, () => call(service, ctx.signal));
    }
    await ctx.step("send_confirmation", async () => {
      await call("email", ctx.signal);
      return { to: email };
    });
    return { status: "deleted", user_id, archive: archive.url, services };
  },
});
