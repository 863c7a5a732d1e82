/**
 * The dashboard's pages for flows and batches, and a job's progress: what `GET /flows/{id}`,
 * `GET /batches/{id}` and `ctx.progress()` offer, as server-rendered HTML.
 */
import { assert, assertEquals } from "../assert.ts";
import { assertError, withApi } from "./setup.ts";
import { reportProgress } from "../../src/transitions/mod.ts";

async function html(res: Response): Promise<string> {
  assertEquals(res.status, 200);
  const text = await res.text();
  assert(text.length < 100_000, `${text.length} bytes`);
  assert(!/<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|<style/.test(text), "nothing inline");
  return text;
}

const step = { video_id: 7, work_ms: 0 };
const PIPELINE = {
  nodes: {
    encode: { task: "encode_video", input: step },
    thumbnails: { task: "generate_thumbnails", input: step, depends_on: ["encode"] },
    transcription: { task: "transcribe_audio", input: step, depends_on: ["encode"] },
    resize: { task: "resize_thumbnails", input: step, depends_on: ["thumbnails"] },
  },
};

/** The x of each node's box in the SVG, by node name. */
function columnsOf(page: string): Record<string, number> {
  const boxes = page.matchAll(/<title>([\w.-]+): \w+<\/title><rect x="([\d.]+)"/g);
  return Object.fromEntries([...boxes].map(([, name, x]) => [name, Number(x)]));
}

Deno.test("a flow's page draws its DAG left to right, nodes coloured by state", async () => {
  await withApi(async ({ post, get, store }) => {
    const res = await post("/flows", PIPELINE);
    assertEquals(res.status, 202);
    const { flow_id, nodes } = await res.json();
    const page = await html(await get(`/ui/flows/${flow_id}`));
    const x = columnsOf(page);
    assertEquals(Object.keys(x).sort(), ["encode", "resize", "thumbnails", "transcription"]);
    assert(x.encode < x.thumbnails && x.thumbnails === x.transcription, JSON.stringify(x));
    assert(x.thumbnails < x.resize, JSON.stringify(x));
    assertEquals(page.match(/<path class="edge"/g)?.length, 3);
    assert(page.includes('<g class="node state-queued"><title>encode: queued'), "encode waits");
    assertEquals(page.match(/<g class="node state-deferred">/g)?.length, 3);
    for (const id of Object.values(nodes)) assert(page.includes(`href="/ui/jobs/${id}"`));
    assert(page.includes('id="flow-status">running'), "the flow is running");

    const job = await html(await get(`/ui/jobs/${nodes.resize}`));
    assert(job.includes(`href="/ui/flows/${flow_id}"`), "a node's job links to its flow");
    await store.jobDelete({ job: (await store.jobGet(nodes.resize))! });
    assert((await html(await get(`/ui/flows/${flow_id}`))).includes("resize: pruned"));
    await assertError(await get(`/ui/flows/${nodes.resize}`), 404, "flow_not_found");
  });
});

Deno.test("a batch's page shows its counts and how many of its jobs ended", async () => {
  await withApi(async ({ post, get, store, clock }) => {
    const res = await post("/jobs/bulk", {
      jobs: [{ task: "noop", input: {} }, { task: "noop", input: {} }, { task: "noop", input: {} }],
    });
    assertEquals(res.status, 202);
    const { batch_id, job_ids } = await res.json();
    const [claimed] = await store.jobClaim({
      queues: ["default"],
      workerId: "w",
      limit: 1,
      leaseMs: 30_000,
      now: clock.now(),
    });
    const finished = { ...claimed, state: "finished" as const, endedAt: clock.now() };
    await store.jobUpdateMany({ updates: [{ before: claimed, after: finished }] });
    const page = await html(await get(`/ui/batches/${batch_id}`));
    assert(page.includes("1 of 3 jobs ended"), page);
    assert(page.includes('<progress id="batch-progress" max="3" value="1">'), "a progress bar");
    assert(page.includes('<td class="num state-queued">2</td>'), "two still queued");
    const job = await html(await get(`/ui/jobs/${job_ids[0]}`));
    assert(job.includes(`href="/ui/batches/${batch_id}"`), "a job links to its batch");
    await assertError(await get("/ui/batches/01JD0000000000000000000000"), 404, "batch_not_found");
  });
});

Deno.test("a job's page shows its progress: a bar for a percentage, else the object", async () => {
  await withApi(async ({ get, enqueue, store, clock }) => {
    const job = await enqueue("noop", {});
    const [started] = await store.jobClaim({
      queues: ["default"],
      workerId: "w",
      limit: 1,
      leaseMs: 30_000,
      now: clock.now(),
    });
    assert(!(await html(await get(`/ui/jobs/${job.id}`))).includes("job-progress"));
    const at40 = reportProgress(started, { progress: 40 });
    await store.jobUpdateMany({ updates: [{ before: started, after: at40 }] });
    const page = await html(await get(`/ui/jobs/${job.id}`));
    assert(page.includes('<progress id="job-progress" max="100" value="40">'), page);
    assert(page.includes('data-job="' + job.id + '"'), "the live stream watches this job");
    const detail = reportProgress(at40, { progress: { frame: "<b>9</b>" } });
    await store.jobUpdateMany({ updates: [{ before: at40, after: detail }] });
    const text = await html(await get(`/ui/jobs/${job.id}`));
    assert(text.includes("&lt;b&gt;9&lt;/b&gt;") && !text.includes("<b>9"), "escaped");
  });
});
