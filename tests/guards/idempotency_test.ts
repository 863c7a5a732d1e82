import { assertEquals } from "../assert.ts";
import { assertError, assertRefused, withApi } from "../http/setup.ts";
import { Producer } from "../../src/producer.ts";
import { useProducer } from "../../src/registry/default_producer.ts";
import { noop } from "../../tasks/noop.ts";

const DAY = 86_400_000;

Deno.test("20 concurrent POST /jobs with one idempotency_key create one job", async () => {
  await withApi(async ({ post, store }) => {
    const body = { task: "noop", input: {}, idempotency_key: "order-42" };
    const answers = await Promise.all(Array.from({ length: 20 }, () => post("/jobs", body)));
    const statuses = answers.map((res) => res.status).sort();
    assertEquals(statuses, [200, ...Array(18).fill(200), 202].sort());
    const bodies = await Promise.all(answers.map((res) => res.json()));
    const ids = new Set(bodies.map((b) => b.job_id));
    assertEquals(ids.size, 1);
    const [id] = ids;
    assertEquals(bodies[0], { job_id: id, status: "queued", status_url: `/jobs/${id}` });
    assertEquals(
      answers.map((res) => res.headers.get("location")),
      answers.map(() => `/jobs/${id}`),
    );
    assertEquals((await store.queueCounts()).map((c) => c.queued), [1]);
  });
});

Deno.test("an Idempotency-Key header works on POST /tasks/{task} and POST /jobs alike", async () => {
  await withApi(async ({ post }) => {
    const headers = { "idempotency-key": "signup-7" };
    const first = await post("/tasks/noop", {}, headers);
    assertEquals(first.status, 202);
    const { job_id } = await first.json();
    const again = await post("/jobs", { task: "noop", input: {} }, headers);
    assertEquals([again.status, (await again.json()).job_id], [200, job_id]);
    const query = await post("/tasks/noop?idempotency_key=signup-7", {});
    assertEquals([query.status, (await query.json()).job_id], [200, job_id]);
  });
});

Deno.test("a repeat after idempotency_ttl creates a new job", async () => {
  await withApi(async ({ post, clock }) => {
    const body = { task: "noop", input: {}, idempotency_key: "k", idempotency_ttl: 60_000 };
    const first = await (await post("/jobs", body)).json();
    clock.advance(59_999);
    assertEquals((await (await post("/jobs", body)).json()).job_id, first.job_id);
    clock.advance(1);
    const later = await post("/jobs", body);
    assertEquals(later.status, 202);
    assertEquals((await later.json()).job_id === first.job_id, false);
  });
});

Deno.test("the default idempotency TTL is 24 hours", async () => {
  await withApi(async ({ post, clock }) => {
    const body = { task: "noop", input: {}, idempotency_key: "k" };
    await post("/jobs", body);
    clock.advance(DAY - 1);
    assertEquals((await post("/jobs", body)).status, 200);
    clock.advance(1);
    assertEquals((await post("/jobs", body)).status, 202);
  });
});

Deno.test("a repeat answers the original job's current status", async () => {
  await withApi(async ({ post, store }) => {
    const body = { task: "noop", input: {}, idempotency_key: "k" };
    const { job_id } = await (await post("/jobs", body)).json();
    const [claimed] = await store.jobClaim({
      queues: ["default"],
      workerId: "w",
      limit: 1,
      leaseMs: 1_000,
      now: Date.UTC(2026, 0, 1),
    });
    assertEquals(claimed.id, job_id);
    assertEquals((await (await post("/jobs", body)).json()).status, "started");
  });
});

Deno.test("bad idempotency options answer 422 naming the field and write nothing", async () => {
  await withApi(async (api) => {
    const post = (extra: Record<string, unknown>, headers?: Record<string, string>) => () =>
      api.post("/jobs", { task: "noop", input: {}, ...extra }, headers);
    for (
      const [extra, path] of [
        [{ idempotency_key: "" }, "idempotency_key"],
        [{ idempotency_key: "x".repeat(256) }, "idempotency_key"],
        [{ idempotency_key: "a\nb" }, "idempotency_key"],
        [{ idempotency_key: "k", idempotency_ttl: 0 }, "idempotency_ttl"],
        [{ idempotency_ttl: 1_000 }, "idempotency_key"],
      ] as const
    ) {
      const error = await assertRefused(api, post(extra), 422, "invalid_input");
      assertEquals((error.issues as { path: string }[])[0].path, path, JSON.stringify(extra));
    }
    const differs = await assertRefused(
      api,
      post({ idempotency_key: "a" }, { "idempotency-key": "b" }),
      422,
      "invalid_input",
    );
    assertEquals((differs.issues as { path: string }[])[0].path, "idempotency_key");
    const badQuery = await api.post("/tasks/noop?idempotency_ttl=abc&idempotency_key=k", {});
    await assertError(badQuery, 422, "invalid_input");
  });
});

Deno.test("task.enqueue() with idempotencyKey returns the first job on a repeat", async () => {
  await withApi(async ({ registry, store, clock }) => {
    const producer = new Producer({ store, registry, clock });
    useProducer(producer);
    try {
      const options = { idempotencyKey: "nightly-2026-01-01" };
      const first = await noop.enqueue({}, options);
      assertEquals((await noop.enqueue({}, options)).id, first.id);
      assertEquals(
        (await producer.enqueueOnce({ task: "noop", input: {}, ...options })).created,
        false,
      );
    } finally {
      useProducer(undefined);
    }
  });
});
