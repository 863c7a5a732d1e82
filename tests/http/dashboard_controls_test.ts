/**
 * The dashboard's controls for what the API offers beyond jobs: queue pause and resume on
 * the overview, and the schedules page with pause, resume and trigger now.
 */
import { scheduleGetMany } from "../../src/scheduler/schedule_records.ts";
import { assert, assertEquals } from "../assert.ts";
import { assertError, withApi } from "./setup.ts";
import { FakeClock } from "../../src/clock.ts";
import { createApp } from "../../src/http/mod.ts";
import { silentLogger } from "../../src/log.ts";
import { Producer } from "../../src/producer.ts";
import { compileSchedules } from "../../src/scheduler/schedule.ts";
import { openKvStore } from "../../src/open_kv_store.ts";
import { registry } from "../../tasks/mod.ts";
import { pausedQueues, QueuePauses } from "../../src/guards/queue_pauses.ts";
import { EVENTS_POLL_MS } from "../../src/http/dashboard/events.ts";

async function html(res: Response): Promise<string> {
  assertEquals(res.status, 200);
  assert(res.headers.get("content-type")!.startsWith("text/html"));
  return await res.text();
}

function assertRedirect(res: Response, location: string): void {
  assertEquals([res.status, res.headers.get("location")], [303, location]);
}

Deno.test("the overview pauses and resumes a queue, even one without jobs", async () => {
  await withApi(async ({ post, get, enqueue, store }) => {
    await enqueue("noop", {}, { queue: "mail" });
    assert((await html(await get("/"))).includes('action="/ui/queues/mail/pause"'));

    assertRedirect(await post("/ui/queues/mail/pause"), "/?done=queue_paused");
    assertRedirect(await post("/ui/queues/idle/pause"), "/?done=queue_paused");
    assertEquals((await pausedQueues(store)).sort(), ["idle", "mail"]);
    const paused = await html(await get("/?done=queue_paused"));
    assert(paused.includes("workers claim nothing from it"), "the notice says what pausing does");
    for (const queue of ["idle", "mail"]) {
      assert(paused.includes(`action="/ui/queues/${queue}/resume"`), `${queue} offers resume`);
    }
    assertEquals(paused.match(/class="badge state-paused"/g)?.length, 2);

    assertRedirect(await post("/ui/queues/mail/resume"), "/?done=queue_resumed");
    assertEquals(await pausedQueues(store), ["idle"]);
    await assertError(await post("/ui/queues/no%20spaces/pause"), 422, "invalid_input");
  });
});

/** An app with one schedule, as `tq serve` builds it from `tasks/schedules.ts`. */
async function withSchedules(
  fn: (
    api: { get(path: string): Promise<Response>; post(path: string): Promise<Response> },
    store: Awaited<ReturnType<typeof openKvStore>>,
  ) => Promise<void>,
) {
  const dir = await Deno.makeTempDir({ prefix: "tq-http-" });
  const clock = new FakeClock(Date.UTC(2026, 0, 5, 8, 59, 30));
  const store = await openKvStore(`${dir}/tq.db`, { clock });
  const schedules = compileSchedules([{
    name: "hourly_noop",
    description: "Every hour, a <b>noop</b>.",
    cron: "0 * * * *",
    task: "noop",
    input: {},
  }], registry);
  const producer = new Producer({ store, registry, clock });
  const app = createApp({ producer, store, registry, clock, schedules, logger: silentLogger });
  try {
    await fn({
      get: async (path) => await app.request(path),
      post: async (path) => await app.request(path, { method: "POST" }),
    }, store);
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("the schedules page shows each schedule and pauses, resumes and triggers it", () =>
  withSchedules(async ({ get, post }, store) => {
    const page = await html(await get("/ui/schedules"));
    assert(page.length < 100_000, `${page.length} bytes`);
    assert(!/<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|<style/.test(page), "nothing inline");
    assert(page.includes("hourly_noop") && page.includes("a &lt;b&gt;noop"), "escaped");
    assert(page.includes("<code>0 * * * *</code>") && page.includes("2026-01-05 09:00:00Z"));

    const path = "/ui/schedules/hourly_noop";
    assertRedirect(await post(`${path}/pause`), "/ui/schedules?done=schedule_paused");
    assertEquals((await scheduleGetMany(store, { names: ["hourly_noop"] }))[0].paused, true);
    const paused = await html(await get("/ui/schedules?done=schedule_paused"));
    assert(paused.includes(`action="${path}/resume"`) && paused.includes("state-paused"));

    assertRedirect(await post(`${path}/trigger`), "/ui/schedules?done=schedule_triggered");
    const [record] = await scheduleGetMany(store, { names: ["hourly_noop"] });
    const job = await store.jobGet(record.lastJobId!);
    assertEquals([job?.task, job?.state], ["noop", "queued"]);
    const triggered = await html(await get("/ui/schedules"));
    assert(triggered.includes(`href="/ui/jobs/${job!.id}"`), "the last job is linked");

    assertRedirect(await post(`${path}/resume`), "/ui/schedules?done=schedule_resumed");
    assertEquals((await scheduleGetMany(store, { names: ["hourly_noop"] }))[0].paused, false);
    await assertError(await post("/ui/schedules/nope/trigger"), 404, "schedule_not_found");
  }));

Deno.test("the schedules page without schedules says where to define them", async () => {
  await withApi(async ({ get }) => {
    assert((await html(await get("/ui/schedules"))).includes("tasks/schedules.ts"));
  });
});

Deno.test("the live stream says change when a queue is paused, though no count moved", async () => {
  await withApi(async ({ get, store, clock }) => {
    const res = await get("/ui/events");
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    const next = async () => (await reader.read()).value ?? "";
    assert((await next()).includes("event: ready"));
    await QueuePauses.of(store, clock).set({ queue: "mail", paused: true });
    // The feed sleeps on the fake clock between looks: move it on a look at a time, each
    // time until everything woken sleeps again, until the stream has said something.
    const read = next();
    let text = "";
    read.then((chunk) => (text = chunk));
    while (text === "") {
      const asleep = clock.pendingSleeps;
      clock.advance(EVENTS_POLL_MS);
      await clock.untilSleeping(asleep);
    }
    assert(text.includes("event: change"), text);
    await reader.cancel();
  });
});
