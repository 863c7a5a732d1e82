import { assert, assertEquals } from "../assert.ts";
import { assertError, assertRefused, withApi } from "./setup.ts";

const mail = { email: "ada@example.com", message: "Your report is ready" };

Deno.test("POST /jobs answers 202 with job_id, status and status_url", async () => {
  await withApi(async ({ post, store }) => {
    const res = await post("/jobs", { task: "send_notification", input: mail });
    assertEquals(res.status, 202);
    const body = await res.json();
    assertEquals(body, {
      job_id: body.job_id,
      status: "queued",
      status_url: `/jobs/${body.job_id}`,
    });
    assertEquals(res.headers.get("location"), `/jobs/${body.job_id}`);
    const job = await store.jobGet(body.job_id);
    assertEquals([job?.task, job?.queue, job?.input], ["send_notification", "notifications", mail]);
  });
});

Deno.test("POST /jobs applies queue, priority, max_attempts and timeout", async () => {
  await withApi(async ({ enqueue }) => {
    const job = await enqueue("send_notification", mail, {
      queue: "urgent",
      priority: -5,
      max_attempts: 2,
      timeout: 1_000,
    });
    assertEquals(
      [job.queue, job.priority, job.maxAttempts, job.timeoutMs],
      ["urgent", -5, 2, 1_000],
    );
  });
});

Deno.test("POST /jobs with delay or run_at schedules the job", async () => {
  await withApi(async ({ enqueue, clock }) => {
    const delayed = await enqueue("noop", {}, { delay: 60_000 });
    assertEquals([delayed.state, delayed.runAt], ["scheduled", clock.now() + 60_000]);
    const at = clock.now() + 3_600_000;
    const iso = await enqueue("noop", {}, { run_at: new Date(at).toISOString() });
    assertEquals([iso.state, iso.runAt], ["scheduled", at]);
    const epoch = await enqueue("noop", {}, { run_at: at });
    assertEquals([epoch.state, epoch.runAt], ["scheduled", at]);
  });
});

Deno.test("schema violation answers 422 naming each field", async () => {
  await withApi(async (api) => {
    const error = await assertRefused(
      api,
      () =>
        api.post("/jobs", {
          task: "send_notification",
          input: { email: "not-an-email" },
          priority: 5_000,
          runAt: 1,
        }),
      422,
      "invalid_input",
    );
    const issues = error.issues as { path: string; message: string }[];
    assertEquals(issues.map((issue) => issue.path).sort(), [
      "input.email",
      "input.message",
      "priority",
      "runAt",
    ]);
    assert(issues.every((issue) => issue.message.length > 0));
  });
});

Deno.test("input violation alone answers 422 naming input fields", async () => {
  await withApi(async (api) => {
    const error = await assertRefused(
      api,
      () => api.post("/jobs", { task: "process_video", input: { video_id: -1 } }),
      422,
      "invalid_input",
    );
    assertEquals((error.issues as { path: string }[]).map((i) => i.path), ["input.video_id"]);
  });
});

Deno.test("request fields out of range answer 422", async () => {
  await withApi(async (api) => {
    const cases: [Record<string, unknown>, string][] = [
      [{ queue: "bad queue!" }, "queue"],
      [{ queue: "q".repeat(65) }, "queue"],
      [{ priority: 1.5 }, "priority"],
      [{ max_attempts: 0 }, "max_attempts"],
      [{ max_attempts: 101 }, "max_attempts"],
      [{ delay: -1 }, "delay"],
      [{ timeout: 0 }, "timeout"],
      [{ run_at: "tomorrow" }, "run_at"],
      [{ delay: 10, run_at: 0 }, "run_at"],
      [{ task: 42 }, "task"],
    ];
    for (const [fields, path] of cases) {
      const error = await assertRefused(
        api,
        () => api.post("/jobs", { task: "noop", input: {}, ...fields }),
        422,
        "invalid_input",
      );
      assertEquals((error.issues as { path: string }[]).map((i) => i.path), [path]);
    }
  });
});

Deno.test("a missing task or input answers 422 'required'", async () => {
  await withApi(async (api) => {
    const error = await assertRefused(api, () => api.post("/jobs", {}), 422, "invalid_input");
    assertEquals(error.issues, [
      { path: "task", message: "required" },
      { path: "input", message: "required" },
    ]);
  });
});

Deno.test("malformed JSON answers 400", async () => {
  await withApi(async (api) => {
    await assertRefused(api, () => api.post("/jobs", '{"task": "noop",'), 400, "invalid_json");
    await assertRefused(api, () => api.post("/tasks/noop", "{nope"), 400, "invalid_json");
    await assertRefused(api, () => api.post("/jobs", ""), 400, "invalid_json");
  });
});

Deno.test("a body that is not JSON answers 415", async () => {
  await withApi(async (api) => {
    const headers = { "content-type": "text/plain" };
    const error = await assertRefused(
      api,
      () => api.post("/jobs", "task=noop", headers),
      415,
      "unsupported_media_type",
    );
    assert(String(error.message).includes("application/json"));
  });
});

Deno.test("unknown task answers 404", async () => {
  await withApi(async (api) => {
    const error = await assertRefused(
      api,
      () => api.post("/jobs", { task: "nope", input: {} }),
      404,
      "unknown_task",
    );
    assertEquals(error.task, "nope");
    await assertRefused(api, () => api.post("/tasks/nope", {}), 404, "unknown_task");
  });
});

Deno.test("oversized input answers 413 and writes nothing", async () => {
  await withApi(async (api) => {
    const huge = { task: "store_blob", input: { data: "x".repeat(1024 * 1024) } };
    // Streamed (no Content-Length) and declared: both are cut off before parsing.
    await assertRefused(api, () => api.post("/jobs", huge), 413, "payload_too_large");
    const text = JSON.stringify(huge);
    const declared = { "content-length": String(text.length) };
    await assertRefused(api, () => api.post("/jobs", text, declared), 413, "payload_too_large");
  });
});

Deno.test("a job over the store's record limit answers 413 and writes nothing", async () => {
  await withApi(async (api) => {
    const big = { task: "store_blob", input: { data: "x".repeat(200_000) } };
    const error = await assertRefused(api, () => api.post("/jobs", big), 413, "payload_too_large");
    assertEquals(error.limit, api.store.maxJobBytes);
  });
});

Deno.test("an unknown route answers a JSON 404", async () => {
  await withApi(async ({ get }) => {
    await assertError(await get("/nope"), 404, "not_found");
  });
});
