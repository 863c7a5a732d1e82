/**
 * The example account deletion (`tasks/account_deletion.ts`) in a test queue: each step
 * once, a grace period that holds no worker, and a cancel event that keeps the account.
 */
import { assertEquals } from "../assert.ts";
import { createTestQueue, FakeClock } from "../../src/testing/mod.ts";
import { Registry } from "../../src/registry/registry.ts";
import { deleteAccount, DELETION_CANCELED } from "../../tasks/account_deletion.ts";

Deno.env.set("TQ_SERVICE_LATENCY_MS", "0");

Deno.test("an account is deleted from each service once after its grace period", async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  await using queue = await createTestQueue({ registry: new Registry([deleteAccount]), clock });
  const job = await deleteAccount.enqueue({
    user_id: "u1",
    email: "ada@example.com",
    services: ["billing", "storage"],
  });
  await queue.drain();
  const waiting = await queue.getJob(job.id);
  assertEquals([waiting?.state, waiting?.steps?.map((s) => s.name)], [
    "waiting",
    ["export_data", "grace_period"],
  ]);
  clock.advance(86_400_000);
  await queue.drain();
  const done = await queue.getJob(job.id);
  assertEquals(done?.result, {
    status: "deleted",
    user_id: "u1",
    archive: "https://exports.example.com/u1.zip",
    services: ["billing", "storage"],
  });
  assertEquals(done?.steps?.map((s) => [s.name, s.state]), [
    ["export_data", "finished"],
    ["grace_period", "finished"],
    ["delete_from_billing", "finished"],
    ["delete_from_storage", "finished"],
    ["send_confirmation", "finished"],
  ]);
});

Deno.test("a cancel event within the grace period keeps the account", async () => {
  await using queue = await createTestQueue({ registry: new Registry([deleteAccount]) });
  const job = await deleteAccount.enqueue({ user_id: "u2", email: "bob@example.com" });
  await queue.drain();
  assertEquals(await queue.sendEvent({ event: DELETION_CANCELED, key: "u2" }), { woken: 1 });
  await queue.drain();
  const kept = await queue.getJob(job.id);
  assertEquals(kept?.result, { status: "kept", user_id: "u2" });
  assertEquals(kept?.steps?.map((s) => s.name), [
    "export_data",
    "grace_period",
    "send_kept_notice",
  ]);
});
