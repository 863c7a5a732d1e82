/**
 * OpenTelemetry across processes: `tq serve` and `tq worker` run with Deno's built-in
 * exporter on (`OTEL_DENO=true`) and send their spans to a receiver in this test; the job
 * span of each run must be a child of the HTTP request span that enqueued it.
 */
import { assert, assertEquals } from "../assert.ts";
import { type ReceivedSpan, startOtlpReceiver } from "./otlp_receiver.ts";
import { eventually, tempDb, TqProcess } from "./tq_process.ts";

const TASKS = ["--tasks", "tests/fixtures/tasks.ts"];

async function enqueue(url: string, body: unknown): Promise<string> {
  const res = await fetch(`${url}/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  assertEquals(res.status, 202);
  return (await res.json()).job_id;
}

Deno.test("an HTTP enqueue and the job's run in a worker are one trace", async () => {
  const { db, cleanup } = await tempDb();
  const receiver = startOtlpReceiver();
  const otel = (service: string) => ({
    OTEL_DENO: "true",
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_DENO_CONSOLE: "ignore",
    OTEL_SERVICE_NAME: service,
  });
  const server = TqProcess.start(["serve", "--port", "0", "--db", db, ...TASKS], otel("tq-serve"));
  const worker = TqProcess.start(["worker", "slow", "--db", db, ...TASKS], otel("tq-worker"));
  try {
    const url = await server.url();
    const ok = await enqueue(url, { task: "sleep", input: { ms: 10 } });
    const bad = await enqueue(url, {
      task: "sleep",
      input: { ms: 60_000 },
      timeout: 50,
      max_attempts: 1,
    });
    await server.waitForLine((l) => l.event === "job:enqueued" && l.job_id === bad);
    for (const [id, state] of [[ok, "finished"], [bad, "failed"]]) {
      await eventually(
        async () => {
          const job = await (await fetch(`${url}/jobs/${id}`)).json();
          return job.status === state;
        },
        20_000,
        `job ${id} ${state}`,
      );
    }
    // Deno exports what is left when the process exits.
    await worker.stop();
    await server.stop();
    const jobSpan = (id: string) =>
      eventually(
        () => Promise.resolve(receiver.spans.find((s) => s.attributes["tq.job.id"] === id)),
        10_000,
        `the job span of ${id}`,
      );
    for (const id of [ok, bad]) {
      const run: ReceivedSpan = await jobSpan(id);
      assertEquals([run.service, run.name, run.kind], ["tq-worker", "tq.job sleep", 5]);
      assertEquals(run.attributes["tq.job.queue"], "slow");
      assertEquals(run.attributes["tq.job.attempt"], 1);
      const request = receiver.spans.find((s) => s.spanId === run.parentSpanId);
      assert(request, `no span ${run.parentSpanId} (the job span's parent) was received`);
      assertEquals(request.service, "tq-serve");
      assertEquals(request.traceId, run.traceId);
      assertEquals([request.kind, request.attributes["http.request.method"]], [2, "POST"]);
      assertEquals(request.attributes["url.path"], "/jobs");
    }
    const failed = await jobSpan(bad);
    assertEquals(failed.status.code, 2);
    assert(failed.status.message?.startsWith("TimeoutError"), failed.status.message);
    assertEquals([(await jobSpan(ok)).status.code, failed.attributes["tq.job.outcome"]], [
      0,
      "failed",
    ]);
  } finally {
    worker.kill();
    server.kill();
    await Promise.all([worker.exit(), server.exit()]);
    await receiver.close();
    await cleanup();
  }
});
