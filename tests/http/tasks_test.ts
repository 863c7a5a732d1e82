import { assertEquals } from "../assert.ts";
import { assertRefused, withApi } from "./setup.ts";

const mail = { email: "ada@example.com", message: "Your report is ready" };

Deno.test("POST /tasks/{task} takes the body as input and options from the query", async () => {
  await withApi(async ({ post, store, clock }) => {
    const res = await post("/tasks/send_notification?queue=mail&priority=-3&delay=500", mail);
    assertEquals(res.status, 202);
    const { job_id, status, status_url } = await res.json();
    assertEquals([status, status_url, res.headers.get("location")], [
      "scheduled",
      `/jobs/${job_id}`,
      `/jobs/${job_id}`,
    ]);
    const job = await store.jobGet(job_id);
    assertEquals([job?.input, job?.queue, job?.priority, job?.runAt], [
      mail,
      "mail",
      -3,
      clock.now() + 500,
    ]);
  });
});

Deno.test("POST /tasks/{task} without a body enqueues an empty input", async () => {
  await withApi(async ({ post, store }) => {
    const res = await post("/tasks/noop");
    assertEquals(res.status, 202);
    assertEquals((await store.jobGet((await res.json()).job_id))?.input, {});
  });
});

Deno.test("POST /tasks/{task} answers 422 for bad query options and bad input", async () => {
  await withApi(async (api) => {
    const query = await assertRefused(
      api,
      () => api.post("/tasks/noop?priority=high&max_attempts=&colour=red", {}),
      422,
      "invalid_input",
    );
    assertEquals((query.issues as { path: string }[]).map((i) => i.path).sort(), [
      "colour",
      "max_attempts",
      "priority",
    ]);
    const input = await assertRefused(
      api,
      () => api.post("/tasks/send_notification", { email: "x" }),
      422,
      "invalid_input",
    );
    assertEquals((input.issues as { path: string }[]).map((i) => i.path), [
      "input.email",
      "input.message",
    ]);
  });
});

Deno.test("GET /tasks lists each task with its input's JSON schema", async () => {
  await withApi(async ({ get }) => {
    const res = await get("/tasks");
    assertEquals(res.status, 200);
    const { tasks } = await res.json();
    const mail = tasks.find((task: { name: string }) => task.name === "send_notification");
    assertEquals(
      [mail.queue, mail.max_attempts, mail.timeout, mail.description.length > 0],
      ["notifications", 5, 30_000, true],
    );
    assertEquals(mail.input_schema.type, "object");
    assertEquals(mail.input_schema.required.sort(), ["email", "message"]);
    assertEquals(mail.input_schema.properties.email.format, "email");
    const video = tasks.find((task: { name: string }) => task.name === "process_video");
    assertEquals(video.input_schema.required, ["video_id"], "fields with defaults are optional");
  });
});
