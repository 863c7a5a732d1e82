/**
 * The lecture notes' video pipeline, first step: encode an upload to several resolutions.
 *
 * @example
 * ```ts ignore
 * import { processVideo } from "./process_video.ts";
 * await processVideo.enqueue({ video_id: 42, resolutions: [720, 1080] });
 * ```
 * @module
 */
import { z } from "zod";
import { abortableSleep } from "../src/abortable_sleep.ts";
import { defineTask } from "../src/registry/define_task.ts";

/** Simulated encoding time per resolution, in ms. */
const ENCODE_MS = Number(Deno.env.get("TQ_ENCODE_MS_PER_RESOLUTION") ?? 1_000);

/** Encodes a video to each requested resolution (simulated), reporting each output. */
export const processVideo = defineTask({
  name: "process_video",
  description: "Encode an uploaded video to several resolutions.",
  queue: "videos",
  input: z.object({
    video_id: z.int().positive(),
    resolutions: z.array(z.union([z.literal(360), z.literal(720), z.literal(1080)]))
      .min(1).default([360, 720, 1080]),
  }),
  timeout: 3_600_000,
  async handler({ video_id, resolutions }, ctx) {
    const outputs = [];
    for (const resolution of resolutions) {
      ctx.log("encoding", { video_id, resolution });
      await abortableSleep(ENCODE_MS, ctx.signal);
      outputs.push({ resolution, url: `videos/${video_id}/${resolution}p.mp4` });
    }
    return { video_id, outputs };
  },
});
