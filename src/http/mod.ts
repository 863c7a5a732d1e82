/**
 * The HTTP producer API: build it with `createApp`, serve it with `Deno.serve`.
 *
 * @example
 * ```ts ignore
 * import { createApp } from "./mod.ts";
 * Deno.serve({ port: 8000 }, createApp({ producer, store, registry }).fetch);
 * ```
 * @module
 */
export { type AppOptions, createApp, DEFAULT_JOB_TTL_MS, MAX_BODY_BYTES } from "./app.ts";
export { ERROR_STATUS, type ErrorBody, type HttpErrorCode } from "./errors.ts";
export { createErrorHandler, type ErrorHandler, tqErrorHandler } from "./error_handler.ts";
export { type JobErrorJson, type JobJson, jobJson } from "../job_json.ts";
export { DEFAULT_SERVER_LIMITS, limitServer, type ServerLimits } from "./server_limits.ts";
