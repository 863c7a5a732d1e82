/**
 * A failover on a real Redis Cluster: while a producer enqueues without pause and a worker
 * runs the jobs, the primary holding tq's slot is killed (SIGKILL). Its replica takes over
 * (cluster-node-timeout 1 s); every enqueue that was acknowledged is still there and runs,
 * and claims go on on the new primary. With no replica left, an enqueue is refused, naming
 * why (one that does not wait for replicas still runs), until the old primary comes back,
 * as a replica, and new enqueues are acknowledged again.
 */
import { z } from "zod";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { StoreUnavailableError } from "../../src/errors.ts";
import { silentLogger } from "../../src/log.ts";
import { Producer } from "../../src/producer.ts";
import { defineTask } from "../../src/registry/define_task.ts";
import { Registry } from "../../src/registry/registry.ts";
import { openRedisClusterStore } from "../../src/store/redis/redis_store.ts";
import { Worker } from "../../src/worker/mod.ts";
import { waitFor } from "../worker/helpers.ts";
import { RedisCluster } from "./redis_cluster.ts";

const PREFIX = "{failover}";

Deno.test("a primary killed mid-stream loses no acknowledged job and claims go on", async () => {
  const cluster = await RedisCluster.start({ nodeTimeoutMs: 1_000 });
  const ran = new Set<string>();
  const noop = defineTask({
    name: "noop",
    input: z.number(),
    handler: (_n, ctx) => void ran.add(ctx.jobId),
  });
  const registry = new Registry([noop]);
  const store = await openRedisClusterStore(cluster.urls, { prefix: PREFIX });
  const producer = new Producer({ store, registry });
  const worker = new Worker({
    store,
    registry,
    logger: silentLogger,
    concurrency: 8,
    leaseMs: 2_000,
  });
  try {
    const primary = await cluster.primaryOf(PREFIX);
    const survivors = cluster.nodes.filter((node) => node.port !== primary);
    worker.start();

    // Enqueue one job after another, acknowledged or not, until told to stop.
    const acknowledged: string[] = [];
    const refused: string[] = [];
    let enqueuing = true;
    const enqueueLoop = (async () => {
      for (let n = 0; enqueuing; n++) {
        try {
          acknowledged.push((await producer.enqueue({ task: "noop", input: n })).id);
        } catch (error) {
          refused.push((error as Error).message);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    })();
    await waitFor(() => acknowledged.length >= 200, "200 acknowledged enqueues");
    const killedAt = Date.now();
    await cluster.kill(primary);
    await waitFor(
      async () => (await cluster.primaryOf(PREFIX, survivors[0]).catch(() => primary)) !== primary,
      "a replica to take over",
      15_000,
    );
    await cluster.waitUntilOk(survivors);
    const tookOverMs = Date.now() - killedAt;
    // The new primary has no replica: enqueues are refused rather than acknowledged unsafely.
    await waitFor(() => refused.some((m) => m.includes("0 of 1 replica")), "a refusal", 10_000);
    enqueuing = false;
    await enqueueLoop;

    const jobs = await store.jobGetMany(acknowledged);
    const lost = acknowledged.filter((_, i) => jobs[i] === null);
    assertEquals(lost, [], `acknowledged jobs lost in the failover (${tookOverMs} ms)`);
    await waitFor(
      () => acknowledged.every((id) => ran.has(id)),
      "every acknowledged job to run",
      15_000,
    );
    await assertRejects(
      () => producer.enqueue({ task: "noop", input: -1 }),
      StoreUnavailableError,
      "0 of 1 replica(s) confirmed it",
    );
    // Claims go on on the new primary meanwhile: a job enqueued without waiting for a
    // replica (replicas: 0) runs before the old primary is back.
    const unreplicated = await openRedisClusterStore(cluster.urls, { prefix: PREFIX, replicas: 0 });
    try {
      const job = await new Producer({ store: unreplicated, registry })
        .enqueue({ task: "noop", input: -3 });
      await waitFor(() => ran.has(job.id), "a job enqueued on the new primary to run");
    } finally {
      unreplicated.close();
    }

    // The old primary comes back as the new primary's replica: enqueues are acknowledged
    // again, and the worker that lived through the failover runs them.
    await cluster.restart(primary);
    const after = await producer.enqueue({ task: "noop", input: -2 });
    await waitFor(() => ran.has(after.id), "a job enqueued after the failover to run");
    assert(acknowledged.length >= 200);
    console.log(
      `failover: replica took over ${tookOverMs} ms after the kill; ` +
        `${acknowledged.length} enqueues acknowledged (none lost), ${refused.length} refused`,
    );
  } finally {
    await worker.stop();
    store.close();
    await cluster.stop();
  }
});
