import { assertEquals } from "../assert.ts";
import { openKvStore } from "../../src/store/kv/kv_store.ts";
import { runStoreConformance } from "./conformance.ts";

// The in-memory store of @tq/tq/testing is the KV store: the same contract holds.
runStoreConformance("kv :memory:", async (clock, onJobsWritten) => {
  const store = await openKvStore(":memory:", { clock, onJobsWritten });
  return { store, cleanup: () => Promise.resolve(store.close()) };
}, { noDamage: "no second handle can open a :memory: store; the doctor runs on the KV file" });

Deno.test("openKvStore(':memory:') writes no file, not even its bell", async () => {
  const cwd = Deno.cwd();
  const dir = await Deno.makeTempDir({ prefix: "tq_memory_store_" });
  Deno.chdir(dir);
  try {
    const store = await openKvStore(":memory:");
    await store.queueCounts();
    store.close();
    assertEquals([...Deno.readDirSync(dir)], []);
  } finally {
    Deno.chdir(cwd);
    await Deno.remove(dir, { recursive: true });
  }
});
