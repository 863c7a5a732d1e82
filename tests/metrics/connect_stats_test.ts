import { assertEquals } from "../assert.ts";
import { connect } from "../../src/connect.ts";
import { readStats } from "../../src/metrics/stats_read.ts";
import { openKvStore } from "../../src/store/kv/kv_store.ts";
import { registry } from "../../tasks/mod.ts";

Deno.test("connect()'s close() writes the statistics counted since the last flush", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tq-connect-stats-" });
  try {
    const db = `${dir}/tq.db`;
    const tq = await connect({ registry, db });
    await tq.producer.enqueue({ task: "noop", input: {} });
    await tq.close(); // well within the flusher's first second
    const store = await openKvStore(db);
    try {
      const stats = await readStats(store, { since: 0, now: Date.now() });
      const enqueued = stats.find((s) => s.key.join() === "jobs,enqueued,default,noop");
      assertEquals(enqueued?.value, 1);
    } finally {
      store.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
