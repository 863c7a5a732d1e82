import { assert, assertEquals } from "../assert.ts";
import { CallbackSender } from "../../src/callbacks/callback_sender.ts";
import { callbackBody } from "../../src/job_json.ts";
import type { Job } from "../../src/job.ts";
import { createLogger } from "../../src/log.ts";
import { finishJob } from "../../src/transitions/mod.ts";
import { advance, fixture, task, waitFor, waitForJob } from "../worker/helpers.ts";
import { startReceiver } from "./receiver.ts";

/**
 * Sleeps of an idle sender on the clock: its sleep until the next callback is due, and its
 * wait for the store's news (the timers bell).
 */
const ASLEEP = 2;

/** The receiver listens on 127.0.0.1, which callbacks may not reach by default. */
const LOOPBACK = ["127.0.0.1"];

/** Enqueues jobs and runs them to `finished` by hand (no worker, so no other sender). */
async function endedJobs(
  fx: Awaited<ReturnType<typeof fixture>>,
  count: number,
  callbackUrl: string | undefined,
): Promise<Job[]> {
  for (let n = 0; n < count; n++) await fx.enqueue("echo", { n }, { callbackUrl });
  const now = fx.clock.now();
  const claimed = await fx.store.jobClaim({
    queues: ["default"],
    workerId: "w",
    limit: count,
    leaseMs: 1_000,
    now,
  });
  const updates = claimed.map((before) => ({
    before,
    after: finishJob(before, { now, result: before.input, ttlMs: 86_400_000 }),
  }));
  await fx.store.jobUpdateMany({ updates });
  return updates.map((u) => u.after);
}

function logLines() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: "debug",
    format: "json",
    write: (line) => lines.push(JSON.parse(line)),
  });
  return { lines, logger };
}

Deno.test("a callback refused twice is sent again with backoff and delivered on the third try", async () => {
  await using fx = await fixture([task("echo", (input) => input)]);
  await using receiver = startReceiver({ failFirst: 2 });
  const { lines, logger } = logLines();
  const [finished] = await endedJobs(fx, 1, receiver.url);
  const sender = new CallbackSender({ store: fx.store, clock: fx.clock, logger, allow: LOOPBACK });
  sender.start();
  try {
    await waitFor(
      () => receiver.requests.length === 1 && fx.clock.pendingSleeps === ASLEEP,
      "the first try",
    );
    // Not before the backoff: 0.5-1 s after try 1, 1-2 s after try 2.
    await advance(fx.clock, 400);
    assertEquals(receiver.requests.length, 1);
    await advance(fx.clock, 600);
    await waitFor(
      () => receiver.requests.length === 2 && fx.clock.pendingSleeps === ASLEEP,
      "the second try",
    );
    await advance(fx.clock, 2_000);
    await waitFor(
      () => receiver.requests.length === 3 && fx.clock.pendingSleeps === ASLEEP,
      "the third try",
    );
    const done = await waitForJob(fx.store, finished.id, (j) => j.callbackDueAt === undefined);
    assertEquals([done.callbackOutcome, done.callbackTries], ["delivered", 3]);
  } finally {
    await sender.stop();
  }
  assertEquals(receiver.requests.map((r) => r.status), [500, 500, 200]);
  for (const request of receiver.requests) {
    assertEquals(request.body, JSON.parse(JSON.stringify(callbackBody(finished))));
    assertEquals(request.headers.get("x-tq-job-id"), finished.id);
  }
  assertEquals(receiver.requests.map((r) => r.headers.get("x-tq-callback-try")), ["1", "2", "3"]);
  const events = lines.map((line) => line.event);
  assert(events.includes("callback:failed") && events.includes("callback:delivered"));
});

Deno.test("a callback that never succeeds is given up after maxTries with an error line", async () => {
  await using fx = await fixture([task("echo", (input) => input)]);
  await using receiver = startReceiver({ failFirst: 100 });
  const { lines, logger } = logLines();
  const [finished] = await endedJobs(fx, 1, receiver.url);
  const sender = new CallbackSender({
    store: fx.store,
    clock: fx.clock,
    logger,
    policy: { maxTries: 2 },
    allow: LOOPBACK,
  });
  sender.start();
  try {
    await waitFor(
      () => receiver.requests.length === 1 && fx.clock.pendingSleeps === ASLEEP,
      "the first try",
    );
    await advance(fx.clock, 1_000);
    const done = await waitForJob(fx.store, finished.id, (j) => j.callbackOutcome !== undefined);
    assertEquals([done.callbackOutcome, done.callbackDueAt], ["gave_up", undefined]);
    await advance(fx.clock, 120_000);
  } finally {
    await sender.stop();
  }
  assertEquals(receiver.requests.length, 2);
  assert(JSON.stringify(lines).includes("callback:gave_up"));
});

Deno.test("a sleeping sender sends a callback that became due after it went to sleep", async () => {
  await using fx = await fixture([task("echo", (input) => input)]);
  await using receiver = startReceiver();
  const { logger } = logLines();
  const sender = new CallbackSender({ store: fx.store, clock: fx.clock, logger, allow: LOOPBACK });
  sender.start();
  try {
    await waitFor(() => fx.clock.pendingSleeps === ASLEEP, "the sender asleep");
    // The clock stands still: only the store's news can wake the sender.
    await endedJobs(fx, 1, receiver.url);
    await waitFor(() => receiver.requests.length === 1, "the callback sent");
  } finally {
    await sender.stop();
  }
});

Deno.test("two senders on one store send each try once", async () => {
  await using fx = await fixture([task("echo", (input) => input)]);
  await using receiver = startReceiver();
  const jobs = await endedJobs(fx, 20, receiver.url);
  const { logger } = logLines();
  const senders = [1, 2].map(() =>
    new CallbackSender({ store: fx.store, clock: fx.clock, logger, allow: LOOPBACK })
  );
  senders.forEach((sender) => sender.start());
  try {
    await waitFor(
      async () => {
        const stored = await fx.store.jobGetMany(jobs.map((j) => j.id));
        return stored.every((j) => j?.callbackOutcome === "delivered");
      },
      "every callback delivered",
      20_000,
    );
    // Keep both senders polling a while: nothing is sent again.
    for (let i = 0; i < 5; i++) await advance(fx.clock, 250);
  } finally {
    await Promise.all(senders.map((sender) => sender.stop()));
  }
  const received = receiver.requests.map((r) => r.body.id as string).sort();
  assertEquals(received, jobs.map((j) => j.id).sort());
});

Deno.test("a job without callback_url leaves no callback trace and is never sent", async () => {
  await using fx = await fixture([task("echo", (input) => input)]);
  const [finished] = await endedJobs(fx, 1, undefined);
  const calls: string[] = [];
  const fetch = (url: string | URL | Request) => {
    calls.push(String(url));
    return Promise.resolve(new Response("ok"));
  };
  const { logger } = logLines();
  const sender = new CallbackSender({
    store: fx.store,
    clock: fx.clock,
    logger,
    fetch,
    allow: LOOPBACK,
  });
  sender.start();
  await advance(fx.clock, 1_000);
  await sender.stop();
  assertEquals(calls, []);
  const keys = Object.keys(finished).filter((key) => key.startsWith("callback"));
  assertEquals(keys, []);
  assertEquals(await fx.store.jobListCallbackDue({ now: fx.clock.now() + 1e9, limit: 10 }), []);
});
