import { openKvStore } from "../../src/store/kv/kv_store.ts";
import { indexEntries, jobKey } from "../../src/store/kv/keys.ts";
import { runStoreConformance } from "./conformance.ts";
import type { StoreDamage } from "./store_damage.ts";

/** Damage by a second handle on the same file, on the keys of `src/store/kv/keys.ts`. */
async function kvDamage(path: string): Promise<StoreDamage> {
  const kv = await Deno.openKv(path);
  return {
    async dropRecord(job) {
      await kv.delete(jobKey(job.id));
    },
    async dropIndexes(job) {
      const stored = (await kv.get<typeof job>(jobKey(job.id))).value ?? job;
      for (const { key } of indexEntries(stored)) await kv.delete(key);
    },
    async writeIndexes(job) {
      for (const { key, value } of indexEntries(job)) await kv.set(key, value);
    },
    async setBatchCount(batchId, _queue, state, n) {
      await kv.set(["batch_count", batchId, state], new Deno.KvU64(BigInt(n)));
    },
    close: () => kv.close(),
  };
}

runStoreConformance("kv", async (clock, onJobsWritten) => {
  const dir = await Deno.makeTempDir({ prefix: "tq-store-" });
  const store = await openKvStore(`${dir}/tq.db`, { clock, onJobsWritten });
  return {
    store,
    damage: await kvDamage(`${dir}/tq.db`),
    cleanup: async () => {
      store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
});
