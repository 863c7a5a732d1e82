/**
 * tq's public surface for applications and task authors: define tasks, connect, enqueue,
 * and run workers in your own process.
 *
 * @example
 * ```ts ignore
 * import { z } from "zod";
 * import { connect, defineTask, Registry } from "./mod.ts";
 * const resize = defineTask({
 *   name: "resize_image",
 *   input: z.object({ url: z.url(), width: z.int().positive() }),
 *   handler: async ({ url, width }, ctx) => ({ url, width, attempt: ctx.attempt }),
 * });
 * await connect({ registry: new Registry([resize]) });
 * await resize.enqueue({ url: "https://example.com/a.png", width: 320 });
 * ```
 * @module
 */
export { defineTask } from "./registry/define_task.ts";
export type {
  Isolation,
  RetryOptions,
  StepMethods,
  Task,
  TaskContext,
  TaskDefinition,
  WaitForEventOptions,
} from "./registry/define_task.ts";
export type { EnqueueOptions } from "./registry/enqueue_options.ts";
export { sendEvent, useProducer } from "./registry/default_producer.ts";
export type { EnqueueRequest, EventToSend } from "./registry/default_producer.ts";
export { Registry } from "./registry/registry.ts";
export { connect } from "./connect.ts";
export type { Connection, ConnectOptions } from "./connect.ts";
export { DEFAULT_DB } from "./store_options.ts";
export type { StoreOptions } from "./store_options.ts";
export { Producer } from "./producer.ts";
export { Worker } from "./worker/mod.ts";
export type { WorkerOptions } from "./worker/mod.ts";
export { createApp } from "./http/mod.ts";
export type { AppOptions } from "./http/mod.ts";
export { createErrorHandler, tqErrorHandler } from "./http/error_handler.ts";
export * from "./errors.ts";
export type { Backoff, Job, JobError, JobState, JobStep } from "./job.ts";
export { EVENT_TTL_MS } from "./steps/events.ts";
export { JOB_STATES } from "./job.ts";
export type { Store } from "./store/store.ts";
export { defineSchedule } from "./scheduler/schedule.ts";
export type { CatchUp, ScheduleDefinition } from "./scheduler/schedule.ts";
export { openKvStore } from "./open_kv_store.ts";
