import { openKvStore } from "../../src/store/kv/kv_store.ts";
import { runStoreConformance } from "./conformance.ts";

runStoreConformance("kv", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tq-store-" });
  const store = await openKvStore(`${dir}/tq.db`);
  return {
    store,
    cleanup: async () => {
      store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
});
