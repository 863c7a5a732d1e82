import { assert, assertEquals } from "../assert.ts";
import { withApi } from "../http/setup.ts";
import { deferJob, expireJob, failAttempt, finishJob } from "../../src/transitions/mod.ts";
import { BEAT_TTL_MS } from "../../src/worker/presence.ts";
import { workerBeat } from "../../src/presence/worker_registry.ts";

/** Runs `promtool check metrics` on `text`; fails loudly when promtool is missing. */
async function promtoolCheck(text: string): Promise<{ code: number; output: string }> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("promtool", {
      args: ["check", "metrics"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    throw new Error(
      `promtool not found: install prometheus (.ci/run does: apt-get install -y prometheus) ` +
        `(${(error as Error).message})`,
    );
  }
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code, output: decode(stdout) + decode(stderr) };
}

function sample(text: string, line: string): number | undefined {
  const found = text.split("\n").find((l) => l.startsWith(line + " "));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

Deno.test("/metrics counts every transition, per state and worker, and passes promtool", async () => {
  await withApi(async ({ get, enqueue, store, clock }) => {
    await enqueue("noop", {});
    await enqueue("noop", {}, { max_attempts: 2 });
    await enqueue("noop", {}, { queue: "other" });
    clock.advance(1_500);
    const [a, b] = await store.jobClaim({
      queues: ["default"],
      workerId: "w1",
      limit: 2,
      leaseMs: 30_000,
      now: clock.now(),
    });
    const now = clock.now() + 20;
    await store.jobUpdateMany({
      updates: [
        { before: a, after: finishJob(a, { now, result: null, ttlMs: 1_000 }) },
        {
          before: b,
          after: failAttempt(b, {
            now,
            error: { name: "Error", message: "boom" },
            retryDelayMs: 100,
            ttlMs: 1_000,
          }),
        },
      ],
    });
    await workerBeat(store, {
      worker: {
        id: "w1",
        host: "h",
        pid: 1,
        concurrency: 8,
        queues: ["default"],
        runningJobIds: [],
        running: 0,
        startedAt: clock.now(),
        lastHeartbeatAt: clock.now(),
        expiresAt: clock.now() + BEAT_TTL_MS,
      },
      ttlMs: BEAT_TTL_MS,
    });

    const res = await get("/metrics");
    assertEquals(res.status, 200);
    assert(res.headers.get("content-type")!.startsWith("text/plain; version=0.0.4"));
    const text = await res.text();
    const labels = 'queue="default",task="noop"';
    assertEquals(sample(text, `tq_jobs_enqueued_total{${labels}}`), 2);
    assertEquals(sample(text, `tq_jobs_enqueued_total{queue="other",task="noop"}`), 1);
    assertEquals(sample(text, `tq_jobs_started_total{${labels}}`), 2);
    assertEquals(sample(text, `tq_jobs_finished_total{${labels}}`), 1);
    assertEquals(sample(text, `tq_jobs_retried_total{${labels}}`), 1);
    assertEquals(sample(text, `tq_job_wait_seconds_bucket{${labels},le="1"}`), 0);
    assertEquals(sample(text, `tq_job_wait_seconds_bucket{${labels},le="2.5"}`), 2);
    assertEquals(sample(text, `tq_job_wait_seconds_count{${labels}}`), 2);
    assertEquals(sample(text, `tq_job_wait_seconds_sum{${labels}}`), 3);
    assertEquals(sample(text, `tq_job_run_seconds_bucket{${labels},le="0.025"}`), 2);
    assertEquals(sample(text, `tq_job_run_seconds_bucket{${labels},le="+Inf"}`), 2);
    assertEquals(sample(text, `tq_jobs{queue="default",state="scheduled"}`), 1);
    assertEquals(sample(text, `tq_jobs{queue="other",state="queued"}`), 1);
    assertEquals(sample(text, "tq_workers"), 1);
    assertEquals(sample(text, "tq_worker_slots"), 8);

    const check = await promtoolCheck(text);
    assertEquals(check.code, 0, check.output);
  });
});

Deno.test("/metrics escapes label values that hold quotes, backslashes and newlines", async () => {
  await withApi(async ({ get, store, enqueue }) => {
    const job = await enqueue("noop", {});
    // Queue names are checked at enqueue; a store may still hold any string, e.g. from an
    // older version, so the exposition must escape what it prints.
    const odd = { ...job, id: job.id.slice(0, -1) + "Z", queue: 'we"ird\\q\nx' };
    await store.jobInsertMany({ jobs: [odd] });
    const text = await (await get("/metrics")).text();
    assert(text.includes('queue="we\\"ird\\\\q\\nx"'), text);
    const check = await promtoolCheck(text);
    assertEquals(check.code, 0, check.output);
  });
});

Deno.test("/metrics counts deferred and expired jobs", async () => {
  await withApi(async ({ get, enqueue, store, clock }) => {
    const job = await enqueue("noop", {}, { expires_in: 1_000 });
    const after = expireJob(job, { now: clock.now() + 2_000, ttlMs: 60_000 });
    await store.jobUpdateMany({ updates: [{ before: job, after }] });
    const other = await enqueue("noop", {});
    const [started] = await store.jobClaim({
      queues: [other.queue],
      workerId: "w1",
      limit: 1,
      leaseMs: 30_000,
      now: clock.now(),
    });
    const deferred = deferJob(started, { now: clock.now(), runAt: clock.now() + 5_000, ttlMs: 1 });
    await store.jobUpdateMany({ updates: [{ before: started, after: deferred }] });
    const text = await (await get("/metrics")).text();
    const labels = `queue="${job.queue}",task="noop"`;
    assertEquals(sample(text, `tq_jobs_expired_total{${labels}}`), 1);
    assertEquals(sample(text, `tq_jobs_canceled_total{${labels}}`), 1);
    assertEquals(sample(text, `tq_jobs_deferred_total{${labels}}`), 1);
    assertEquals(sample(text, `tq_jobs_retried_total{${labels}}`), undefined);
  });
});
