/**
 * The lecture notes' video pipeline as a flow, run by a real worker (in process, real clock,
 * concurrency 4) on a KV file: thumbnails and transcription really overlap in time, resize
 * runs after thumbnails, and a failing thumbnails step cancels resize but not transcription.
 */
import { assert, assertEquals } from "../assert.ts";
import { connect } from "../../src/connect.ts";
import type { Job } from "../../src/job.ts";
import { silentLogger } from "../../src/log.ts";
import { Worker } from "../../src/worker/mod.ts";
import { enqueueVideoPipeline, registry } from "../../tasks/mod.ts";
import { eventually, tempDb } from "./tq_process.ts";

async function runPipeline(failThumbnails: boolean): Promise<Record<string, Job>> {
  const { db, cleanup } = await tempDb();
  const tq = await connect({ registry, db });
  const worker = new Worker({
    store: tq.store,
    registry,
    queues: ["videos"],
    concurrency: 4,
    logger: silentLogger,
  });
  try {
    const { nodes } = await enqueueVideoPipeline(tq.producer, tq.store, {
      video_id: 7,
      work_ms: 300,
      fail_thumbnails: failThumbnails,
    });
    worker.start();
    const names = Object.keys(nodes);
    const jobs = await eventually(
      async () => {
        const jobs = await tq.store.jobGetMany(names.map((name) => nodes[name]));
        const ended = jobs.every((job) =>
          job && ["finished", "failed", "canceled"].includes(job.state)
        );
        return ended && jobs as Job[];
      },
      20_000,
      "every node to end",
    );
    return Object.fromEntries(names.map((name, i) => [name, jobs[i]]));
  } finally {
    await worker.stop();
    await tq.close();
    await cleanup();
  }
}

Deno.test("the video pipeline runs thumbnails and transcription in parallel", async () => {
  const { encode, thumbnails, transcription, resize } = await runPipeline(false);
  for (const job of [encode, thumbnails, transcription, resize]) {
    assertEquals(job.state, "finished");
  }
  assert(thumbnails.startedAt! >= encode.endedAt! && transcription.startedAt! >= encode.endedAt!);
  // The two branches overlap: each started before the other ended.
  assert(thumbnails.startedAt! < transcription.endedAt!, "thumbnails waited for transcription");
  assert(transcription.startedAt! < thumbnails.endedAt!, "transcription waited for thumbnails");
  assert(resize.startedAt! >= thumbnails.endedAt!);
  assertEquals((resize.result as { sizes: string[] }).sizes.length, 6);
});

Deno.test("a failing middle node cancels what depends on it, not its sibling", async () => {
  const { thumbnails, transcription, resize } = await runPipeline(true);
  assertEquals(thumbnails.state, "failed");
  assertEquals(transcription.state, "finished");
  assertEquals([resize.state, resize.cancelReason], ["canceled", `parent ${thumbnails.id} failed`]);
  assertEquals(resize.startedAt, undefined);
});
