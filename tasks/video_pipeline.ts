/**
 * The lecture notes' video pipeline as a flow: encode the upload, then generate thumbnails
 * and transcribe the audio in parallel, then resize the thumbnails. Each step is a small
 * task with simulated work (`work_ms`) that reads what it needs from `ctx.parents`.
 *
 * ```
 * encode ─┬─ thumbnails ── resize_thumbnails
 *         └─ transcription
 * ```
 *
 * @example
 * ```ts ignore
 * import { enqueueVideoPipeline } from "./video_pipeline.ts";
 * const { flowId, nodes } = await enqueueVideoPipeline(tq.producer, tq.store, { video_id: 7 });
 * ```
 * @module
 */
import { z } from "zod";
import { abortableSleep } from "../src/abortable_sleep.ts";
import { UnrecoverableError } from "../src/errors.ts";
import { planFlow } from "../src/flows/plan.ts";
import type { Producer } from "../src/producer.ts";
import { defineTask } from "../src/registry/define_task.ts";
import type { Store } from "../src/store/store.ts";

const step = { video_id: z.int().positive(), work_ms: z.int().min(0).max(60_000).default(1_000) };

/** The one result among `ctx.parents` that has `field`. */
function fromParents<T>(parents: Readonly<Record<string, unknown>>, field: string): T {
  const found = Object.values(parents).find((r) => typeof r === "object" && r && field in r);
  if (!found) throw new UnrecoverableError(`no parent result with "${field}"`);
  return (found as Record<string, T>)[field];
}

/** Step 1: encode to several resolutions (simulated). */
export const encodeVideo = defineTask({
  name: "encode_video",
  queue: "videos",
  description: "Encode an uploaded video (video pipeline, step 1).",
  input: z.object(step),
  async handler({ video_id, work_ms }, ctx) {
    await abortableSleep(work_ms, ctx.signal);
    return { renditions: [360, 720, 1080].map((p) => `videos/${video_id}/${p}p.mp4`) };
  },
});

/** Step 2a: thumbnails from the encoded video; `fail` simulates a corrupt frame. */
export const generateThumbnails = defineTask({
  name: "generate_thumbnails",
  queue: "videos",
  description: "Generate thumbnails from the encoded video (step 2a).",
  input: z.object({ ...step, fail: z.boolean().default(false) }),
  async handler({ video_id, work_ms, fail }, ctx) {
    const renditions = fromParents<string[]>(ctx.parents, "renditions");
    await abortableSleep(work_ms, ctx.signal);
    if (fail) throw new UnrecoverableError(`corrupt frame in ${renditions[0]}`);
    return { thumbnails: [1, 2, 3].map((n) => `videos/${video_id}/thumb-${n}.jpg`) };
  },
});

/** Step 2b: subtitles from the audio track, in parallel with the thumbnails. */
export const transcribeAudio = defineTask({
  name: "transcribe_audio",
  queue: "videos",
  description: "Transcribe the audio into subtitles (step 2b).",
  input: z.object(step),
  async handler({ video_id, work_ms }, ctx) {
    fromParents<string[]>(ctx.parents, "renditions");
    await abortableSleep(work_ms, ctx.signal);
    return { subtitles: `videos/${video_id}/subtitles.vtt` };
  },
});

/** Step 3: each thumbnail in several sizes. */
export const resizeThumbnails = defineTask({
  name: "resize_thumbnails",
  queue: "videos",
  description: "Resize the thumbnails to several sizes (step 3).",
  input: z.object(step),
  async handler({ work_ms }, ctx) {
    const thumbnails = fromParents<string[]>(ctx.parents, "thumbnails");
    await abortableSleep(work_ms, ctx.signal);
    return { sizes: thumbnails.flatMap((t) => [160, 320].map((w) => `${t}?w=${w}`)) };
  },
});

/** Options of one pipeline run. */
export interface VideoPipelineInput {
  video_id: number;
  /** Simulated work per step, in ms (1 s). */
  work_ms?: number;
  /** Make the thumbnails step fail, to see its dependants canceled. */
  fail_thumbnails?: boolean;
}

/**
 * Enqueues the pipeline for one video as one flow, all or nothing.
 *
 * @example
 * ```ts ignore
 * const { nodes } = await enqueueVideoPipeline(producer, store, { video_id: 7, work_ms: 200 });
 * ```
 */
export async function enqueueVideoPipeline(
  producer: Producer,
  store: Store,
  { video_id, work_ms, fail_thumbnails }: VideoPipelineInput,
): Promise<{ flowId: string; nodes: Record<string, string> }> {
  const input = { video_id, work_ms };
  const jobs = planFlow(producer, store, {
    nodes: {
      encode: { task: encodeVideo.name, input },
      thumbnails: {
        task: generateThumbnails.name,
        input: { ...input, fail: fail_thumbnails },
        dependsOn: ["encode"],
      },
      transcription: { task: transcribeAudio.name, input, dependsOn: ["encode"] },
      resize: { task: resizeThumbnails.name, input, dependsOn: ["thumbnails"] },
    },
  });
  await store.jobInsertMany({ jobs });
  return { flowId: jobs[0].id, nodes: jobs[0].flow!.nodes! };
}
