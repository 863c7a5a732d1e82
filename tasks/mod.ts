/**
 * The task registry shared by `tq serve`, `tq worker` and `tq cron`. Add a task by
 * importing it here: static imports are what `deno compile` bundles.
 *
 * @example
 * ```ts
 * import { registry } from "./mod.ts";
 * console.assert(registry.has("send_notification"));
 * ```
 * @module
 */
import { Registry } from "../src/registry/registry.ts";
import { deleteAccount } from "./account_deletion.ts";
import { fanOutReports } from "./fan_out_reports.ts";
import { generateReport } from "./generate_report.ts";
import { noop } from "./noop.ts";
import { processVideo } from "./process_video.ts";
import { sendNotification } from "./send_notification.ts";
import {
  encodeVideo,
  generateThumbnails,
  resizeThumbnails,
  transcribeAudio,
} from "./video_pipeline.ts";

export { deleteAccount, fanOutReports, generateReport, noop, processVideo, sendNotification };
export { schedules } from "./schedules.ts";
export { encodeVideo, generateThumbnails, resizeThumbnails, transcribeAudio };
export { enqueueVideoPipeline } from "./video_pipeline.ts";

/** Every task of this application. */
export const registry: Registry = new Registry([
  sendNotification,
  processVideo,
  generateReport,
  noop,
  fanOutReports,
  encodeVideo,
  generateThumbnails,
  transcribeAudio,
  resizeThumbnails,
  deleteAccount,
]);
