import { assert, assertEquals } from "../assert.ts";
import { jobIdAfter, newIdRange } from "../../src/ids.ts";
import type { Store } from "../../src/store/store.ts";
import { withApi } from "../http/setup.ts";

const jobs = (n: number) => Array.from({ length: n }, (_, i) => ({ task: "noop", input: { i } }));

Deno.test("newIdRange makes consecutive ids: the i-th is jobIdAfter(first, i)", () => {
  const [first, ...rest] = newIdRange(1_000);
  rest.forEach((id, i) => assertEquals(id, jobIdAfter(first, i + 1)));
  assert(rest.every((id, i) => i === 0 || id > rest[i - 1]));
});

Deno.test("jobIdAfter refuses to run past the largest random part", () => {
  let threw = false;
  try {
    jobIdAfter("01JD00ZZZZZZZZZZZZZZZZZZZZ", 1);
  } catch (error) {
    threw = error instanceof RangeError;
  }
  assert(threw);
});

Deno.test("a repeated bulk request with its idempotency key answers 200 with the same batch, writing nothing", async () => {
  await withApi(async ({ post, snapshot }) => {
    const body = { jobs: jobs(700), idempotency_key: "import-1" };
    const first = await post("/jobs/bulk", body);
    assertEquals(first.status, 202, await first.clone().text());
    const sent = await first.json();
    const before = await snapshot();
    const repeat = await post("/jobs/bulk", { jobs: jobs(700) }, { "idempotency-key": "import-1" });
    assertEquals(repeat.status, 200, await repeat.clone().text());
    const again = await repeat.json();
    assertEquals(again.batch_id, sent.batch_id);
    assertEquals(again.job_ids, sent.job_ids);
    assertEquals(again.rejected, []);
    assertEquals(await snapshot(), before);
  });
});

Deno.test("the repeat of a bulk request that died midway names the jobs it did not store and writes the lost batch", async () => {
  let inserts = 0;
  const dying = (store: Store): Store =>
    new Proxy(store, {
      get(target, name) {
        const value = Reflect.get(target, name);
        if (name !== "jobInsertMany") {
          return typeof value === "function" ? value.bind(target) : value;
        }
        return async (params: { jobs: unknown[] }) => {
          if (++inserts > 2) throw new Error("the process died here");
          return await target.jobInsertMany(params as Parameters<Store["jobInsertMany"]>[0]);
        };
      },
    });
  await withApi(async ({ post, get, store }) => {
    const body = {
      jobs: [...jobs(1_000), { task: "nope", input: {} }],
      idempotency_key: "import-2",
    };
    const died = await post("/jobs/bulk", body);
    assertEquals(died.status, 500);
    await died.body?.cancel();
    const stored = (await store.queueCounts())[0].queued;
    assertEquals(stored, 1 + 2 * store.maxInsertBatch, "the key's job and two whole commits");

    const repeat = await post("/jobs/bulk", body);
    assertEquals(repeat.status, 200, await repeat.clone().text());
    const answer = await repeat.json();
    assertEquals(answer.job_ids.length, stored);
    const found = await store.jobGetMany(answer.job_ids);
    assert(found.every((job) => job?.batchId === answer.batch_id));
    const codes = answer.rejected.map((r: { error: { code: string } }) => r.error.code);
    assertEquals(codes.filter((code: string) => code === "not_stored").length, 1_000 - stored);
    assertEquals(answer.rejected.at(-1), {
      index: 1_000,
      error: { code: "unknown_task", message: 'unknown task "nope"' },
    });
    const batch = await (await get(answer.status_url)).json();
    assertEquals([batch.total, batch.queued], [stored, stored]);
    assertEquals((await store.queueCounts())[0].queued, stored, "the repeat wrote no job");
  }, dying);
});

Deno.test("a bulk idempotency key that names a single job is refused, naming the field", async () => {
  await withApi(async ({ post }) => {
    const single = await post("/jobs", { task: "noop", input: {}, idempotency_key: "k" });
    assertEquals(single.status, 202);
    const res = await post("/jobs/bulk", { jobs: jobs(2), idempotency_key: "k" });
    assertEquals(res.status, 422);
    assertEquals((await res.json()).error.issues[0].path, "idempotency_key");
  });
});
