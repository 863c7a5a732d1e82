import { assertEquals } from "../assert.ts";
import { assertRefused, withApi } from "../http/setup.ts";
import { defineTask } from "../../src/registry/define_task.ts";
import { z } from "zod";
import { InvalidInputError } from "../../src/errors.ts";
import { Producer } from "../../src/producer.ts";
import { useProducer } from "../../src/registry/default_producer.ts";

const HOOK = "https://example.com/hooks/tq?x=1";
const BAD = ["ftp://example.com/x", "not a url", "/relative", "http://user:pw@example.com/"];

Deno.test("POST /jobs keeps a valid callback_url with the job", async () => {
  await withApi(async (api) => {
    const job = await api.enqueue("noop", {}, { callback_url: HOOK });
    assertEquals(job.callbackUrl, HOOK);
  });
});

Deno.test("POST /jobs answers 422 naming callback_url for a bad one and writes nothing", async () => {
  await withApi(async (api) => {
    for (const url of [...BAD, 42]) {
      const error = await assertRefused(
        api,
        () => api.post("/jobs", { task: "noop", input: {}, callback_url: url }),
        422,
        "invalid_input",
      );
      const paths = (error.issues as { path: string }[]).map((issue) => issue.path);
      assertEquals(paths, ["callback_url"], String(url));
    }
  });
});

Deno.test("POST /tasks/{task} takes callback_url from the query", async () => {
  await withApi(async (api) => {
    const res = await api.post(`/tasks/noop?callback_url=${encodeURIComponent(HOOK)}`, {});
    assertEquals(res.status, 202);
    const { job_id } = await res.json();
    assertEquals((await api.store.jobGet(job_id))?.callbackUrl, HOOK);
    const error = await assertRefused(
      api,
      () => api.post("/tasks/noop?callback_url=gopher%3A%2F%2Fx", {}),
      422,
      "invalid_input",
    );
    assertEquals((error.issues as { path: string }[])[0].path, "callback_url");
  });
});

Deno.test("bulk entries take callback_url; a bad one rejects only that entry", async () => {
  await withApi(async (api) => {
    const res = await api.post("/jobs/bulk", {
      jobs: [
        { task: "noop", input: {}, callback_url: HOOK },
        { task: "noop", input: {}, callback_url: "ftp://x/" },
      ],
    });
    assertEquals(res.status, 202);
    const body = await res.json();
    assertEquals(body.rejected.map((r: { index: number }) => r.index), [1]);
    assertEquals(body.rejected[0].error.issues[0].path, "callback_url");
    assertEquals((await api.store.jobGet(body.job_ids[0]))?.callbackUrl, HOOK);
  });
});

Deno.test("task.enqueue takes callbackUrl and refuses a bad one naming callback_url", async () => {
  await withApi(async (api) => {
    const hooked = defineTask({ name: "noop", input: z.object({}), handler: () => null });
    useProducer(new Producer({ store: api.store, registry: api.registry, clock: api.clock }));
    try {
      const job = await hooked.enqueue({}, { callbackUrl: HOOK });
      assertEquals((await api.store.jobGet(job.id))?.callbackUrl, HOOK);
      const error = await hooked.enqueue({}, { callbackUrl: "mailto:a@b.c" }).catch((e) => e);
      assertEquals(error instanceof InvalidInputError, true);
      assertEquals((error as InvalidInputError).issues.map((i) => i.path), ["callback_url"]);
    } finally {
      useProducer(undefined);
    }
  });
});
