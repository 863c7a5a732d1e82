/**
 * `tq send-event` from the shell: it wakes the waiting jobs and keeps the event, as
 * `POST /events` does, and refuses bad data with a message naming the field.
 */
import { assert, assertEquals } from "../assert.ts";
import { runTq, tempDb } from "../integration/tq_process.ts";
import { openKvStore } from "../../src/open_kv_store.ts";
import { keptEvents } from "../../src/steps/kept_events.ts";

Deno.test("tq send-event keeps the event for later waits and prints how many it woke", async () => {
  const { db, cleanup } = await tempDb();
  try {
    const sent = await runTq([
      "send-event",
      "order.approved",
      "--key",
      "o1",
      "--data",
      '{"by":"ana"}',
      "--db",
      db,
    ]);
    assertEquals([sent.code, JSON.parse(sent.stdout)], [0, { woken: 0 }], sent.stderr);
    const store = await openKvStore(db);
    try {
      const kept = await keptEvents(store, {
        name: "order.approved",
        key: "o1",
        since: 0,
        limit: 5,
      });
      assertEquals(kept.map((e) => e.data), [{ by: "ana" }]);
    } finally {
      store.close();
    }
    const refused = await runTq(["send-event", "order.approved", "--data", "null", "--db", db]);
    assertEquals(refused.code, 1);
    assert(refused.stderr.includes("data: must not be null"), refused.stderr);
  } finally {
    await cleanup();
  }
});
