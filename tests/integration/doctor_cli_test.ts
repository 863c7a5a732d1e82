/**
 * `tq doctor` and `tq jobs delete` as an operator runs them, in real `tq` processes, on a
 * KV file and on a real redis-server: a clean store exits 0; a parent deleted behind its
 * dependant's back (by the store's own `jobDelete`, which does not look at dependants) is
 * found (exit 1), repaired with `--repair` (each action logged), and then the store is
 * clean again; `tq jobs delete` of a job others wait for is refused unless
 * `--cascade cancel`.
 */
import { assert, assertEquals } from "../assert.ts";
import { newJobId } from "../../src/ids.ts";
import { openKvStore } from "../../src/open_kv_store.ts";
import { openRedisStore } from "../../src/store/redis/redis_store.ts";
import { withLinks } from "../../src/flows/linked_store.ts";
import type { Store } from "../../src/store/store.ts";
import { createJob } from "../../src/transitions/mod.ts";
import { RedisServer } from "../store/redis_server.ts";
import { runTq, tempDb } from "./tq_process.ts";

/** A parent with a child waiting for it; answers their ids. */
async function family(store: Store): Promise<[string, string]> {
  const now = Date.now();
  const parent = createJob({ id: newJobId(now), task: "noop", input: {} }, now);
  await store.jobInsertMany({ jobs: [parent] });
  const child = createJob(
    { id: newJobId(now), task: "noop", input: {}, dependsOn: [parent.id] },
    now,
  );
  await store.jobInsertMany({ jobs: [child] });
  return [parent.id, child.id];
}

async function scenario(open: () => Promise<Store>, target: string[]): Promise<void> {
  let store = await open();
  const clean = await runTq(["doctor", ...target]);
  assertEquals(clean.code, 0, clean.stderr);
  assert(clean.stdout.includes("clean"), clean.stdout);

  const [parent, child] = await family(store);
  assert(await store.jobDelete({ job: (await store.jobGet(parent))! }));
  store.close();

  const found = await runTq(["doctor", "--json", ...target]);
  assertEquals(found.code, 1, found.stderr);
  const report = JSON.parse(found.stdout);
  assertEquals(report.findings.map((f: { kind: string; job_id: string }) => [f.kind, f.job_id]), [
    ["parent_gone", child],
  ]);

  const repaired = await runTq(["doctor", "--repair", ...target], { TQ_LOG_LEVEL: "info" });
  assertEquals(repaired.code, 1, repaired.stderr);
  assert(repaired.stdout.includes("yes: cancel it"), repaired.stdout);
  assert(repaired.stderr.includes("doctor:repaired"), repaired.stderr);
  assertEquals((await runTq(["doctor", ...target])).code, 0);
  const shown = JSON.parse((await runTq(["jobs", "show", child, ...target])).stdout);
  assertEquals([shown.status, shown.cancel_reason], ["canceled", `parent ${parent} gone`]);

  store = await open();
  const [p2, c2] = await family(store);
  store.close();
  const refused = await runTq(["jobs", "delete", p2, ...target]);
  assertEquals(refused.code, 1);
  assert(refused.stderr.includes(c2), refused.stderr);
  assert(refused.stderr.includes("--cascade cancel"), refused.stderr);
  const cascaded = await runTq(["jobs", "delete", p2, "--cascade", "cancel", ...target]);
  assertEquals(cascaded.code, 0, cascaded.stderr);
  assert(cascaded.stdout.includes(`canceled ${c2} (parent ${p2} deleted)`), cascaded.stdout);
  assertEquals((await runTq(["doctor", ...target])).code, 0);
}

Deno.test("tq doctor finds, repairs and then passes a KV file; jobs delete cascades", async () => {
  const { db, cleanup } = await tempDb();
  try {
    await scenario(() => openKvStore(db), ["--db", db]);
  } finally {
    await cleanup();
  }
});

Deno.test("tq doctor finds, repairs and then passes a Redis store; jobs delete cascades", async () => {
  const server = await RedisServer.start();
  try {
    await scenario(
      async () => withLinks(await openRedisStore(server.url, { prefix: "doc" })),
      ["--redis", server.url, "--redis-prefix", "doc"],
    );
  } finally {
    await server.stop();
  }
});
