/**
 * The conformance suite on a real Redis Cluster (six nodes: three primaries, three
 * replicas), a fresh hash-tagged prefix per test, so tests land on different primaries;
 * the nodes are stopped when the file's tests are over.
 */
import { openRedisClusterStore } from "../../src/store/redis/redis_store.ts";
import { runStoreConformance } from "./conformance.ts";
import { RedisCluster } from "./redis_cluster.ts";

const cluster = await RedisCluster.start();
globalThis.addEventListener("unload", () => cluster.stopNow());

let tests = 0;
runStoreConformance("redis-cluster", async (clock, onJobsWritten) => {
  const prefix = `{conf${++tests}}`;
  const store = await openRedisClusterStore(cluster.urls, { prefix, clock, onJobsWritten });
  return {
    store,
    cleanup: () => Promise.resolve(store.close()),
  };
}, { noDamage: "the damage helper speaks to one Redis; the doctor's scripts are the same here" });
