/**
 * Where a queued job's Redis bytes go: prefills a fresh redis-server with no-op jobs through
 * tq (as the main bench's "bytes per queued job" does) and prints `used_memory` per job and
 * `MEMORY USAGE` per job for each key, grouped by kind.
 *
 * @example
 * ```sh
 * deno run --allow-all bench/redis_bytes.ts 10000
 * ```
 * @module
 */
import { Redis } from "ioredis";
import { fill, open, redisPeer } from "./tq_peer.ts";
import { RedisServer } from "./redis_server.ts";

const jobs = Number(Deno.args[0] ?? 10_000);
const server = await RedisServer.start();
try {
  const store = await redisPeer(server).fresh();
  const tq = await open(store);
  const before = await store.bytes();
  await fill(tq, jobs, 0, 4);
  const perJob = (await store.bytes() - before) / jobs;
  await tq.close();
  const redis = new Redis(server.url);
  const kinds = new Map<string, { keys: number; bytes: number }>();
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "COUNT", 1000);
    cursor = next;
    for (const key of keys) {
      const kind = key.replace(/job:.*$/, "job:<id>");
      const entry = kinds.get(kind) ?? { keys: 0, bytes: 0 };
      entry.keys++;
      entry.bytes += Number(await redis.memory("USAGE", key, "SAMPLES", 0));
      kinds.set(kind, entry);
    }
  } while (cursor !== "0");
  const [sample] = await redis.keys("*job:*");
  console.log(`jobs ${jobs}; used_memory per job: ${perJob.toFixed(0)} B`);
  for (const [kind, { keys, bytes }] of [...kinds].sort((a, b) => b[1].bytes - a[1].bytes)) {
    console.log(
      `${kind.padEnd(28)} keys ${String(keys).padStart(6)}  B/job ${(bytes / jobs).toFixed(1)}`,
    );
  }
  console.log("a record:", await redis.hgetall(sample), await redis.object("ENCODING", sample));
  redis.disconnect();
} finally {
  await server.stop();
}
