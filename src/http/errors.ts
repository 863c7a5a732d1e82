/**
 * How errors leave the API: one table from error codes to HTTP statuses, and one body
 * shape, `{"error": {"code", "message", ...details}}`, whatever went wrong.
 *
 * @example
 * ```ts
 * import { JobNotFoundError } from "../errors.ts";
 * import { errorResponse } from "./errors.ts";
 * const { status, body } = errorResponse(new JobNotFoundError("01J"));
 * console.assert(status === 404 && body.error.code === "job_not_found");
 * ```
 * @module
 */
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import { type ErrorCode, type FieldIssue, InvalidInputError, TqError } from "../errors.ts";

/** tq's error codes, plus the few that only HTTP can produce. */
export type HttpErrorCode =
  | ErrorCode
  | "not_found"
  | "unsupported_media_type"
  | "misdirected_request"
  | "request_timeout"
  | "server_busy"
  | "internal";

/**
 * The one table of statuses: every error body's `code` answers with this status.
 *
 * @example
 * ```ts
 * import { ERROR_STATUS } from "./errors.ts";
 * console.assert(ERROR_STATUS.invalid_state === 409);
 * ```
 */
export const ERROR_STATUS: Record<HttpErrorCode, ContentfulStatusCode> = {
  invalid_json: 400,
  invalid_input: 422,
  unknown_task: 404,
  job_not_found: 404,
  invalid_state: 409,
  payload_too_large: 413,
  store_unavailable: 503,
  unauthorized: 401,
  forbidden: 403,
  limit_exceeded: 422,
  schedule_not_found: 404,
  flow_not_found: 404,
  batch_not_found: 404,
  dependants_waiting: 409,
  lease_lost: 409,
  not_found: 404,
  unsupported_media_type: 415,
  request_timeout: 408,
  misdirected_request: 421,
  server_busy: 503,
  internal: 500,
};

/** Hono's own exceptions (from its validators and middleware), by status. */
const HTTP_EXCEPTION_CODES: Partial<Record<number, HttpErrorCode>> = {
  400: "invalid_json",
  404: "not_found",
  408: "request_timeout",
  413: "payload_too_large",
  415: "unsupported_media_type",
};

/** Hono's message for a 415 ("Unsupported Media Type") does not say what to send instead. */
const MEDIA_TYPE_MESSAGE = "request body must be JSON, sent with Content-Type: application/json";

/** The body of every error answer. */
export interface ErrorBody {
  error: { code: HttpErrorCode; message: string; [detail: string]: unknown };
}

/**
 * The status and body for anything thrown while answering a request. Unexpected errors
 * become a bare 500 so internals (stack, store keys) never reach the client.
 *
 * @example
 * ```ts
 * import { errorResponse } from "./errors.ts";
 * console.assert(errorResponse(new Error("boom")).status === 500);
 * ```
 */
export function errorResponse(error: unknown): { status: ContentfulStatusCode; body: ErrorBody } {
  if (error instanceof TqError) {
    const { code, message } = error;
    // code and message first for readers; assigned again so no detail can overwrite them.
    const body = { error: Object.assign({ code, message }, error.details, { code, message }) };
    return { status: ERROR_STATUS[code], body };
  }
  const code = error instanceof HTTPException ? HTTP_EXCEPTION_CODES[error.status] : undefined;
  if (code) {
    const message = code === "unsupported_media_type"
      ? MEDIA_TYPE_MESSAGE
      : (error as HTTPException).message;
    return { status: ERROR_STATUS[code], body: { error: { code, message } } };
  }
  return { status: 500, body: { error: { code: "internal", message: "internal server error" } } };
}

/**
 * Zod issues as field issues, one per field: `unrecognized_keys` is split into one issue per
 * unknown key so a typo such as `runAt` is named like any other bad field.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { requestIssues } from "./errors.ts";
 * const parsed = z.strictObject({ a: z.int() }).safeParse({ a: "1", b: 2 });
 * if (!parsed.success) console.assert(requestIssues(parsed.error).length === 2);
 * ```
 */
export function requestIssues(error: z.ZodError, prefix = ""): FieldIssue[] {
  const path = (parts: PropertyKey[]) =>
    [prefix, ...parts.map(String)].filter((part) => part !== "").join(".");
  return error.issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        path: path([...issue.path, key]),
        message: "unknown field",
      }));
    }
    // Zod 4 reports a missing required key as "expected nonoptional": say it plainly.
    const missing = issue.code === "invalid_type" && issue.expected === "nonoptional";
    return [{ path: path(issue.path), message: missing ? "required" : issue.message }];
  });
}

/** What a zod validator hands a hook: success, or the error of one part of the request. */
export type ValidationResult =
  | { success: true; target: string }
  | { success: false; target: string; error: z.ZodError; data?: unknown };

/**
 * The app's `defaultHook`: a request whose body, query or path fails its schema is refused
 * with our 422 (thrown, so `onError` renders it like every other error).
 *
 * @example
 * ```ts
 * import { OpenAPIHono } from "@hono/zod-openapi";
 * import { validationHook } from "./errors.ts";
 * const app = new OpenAPIHono({ defaultHook: validationHook });
 * ```
 */
export function validationHook(result: ValidationResult): void {
  if (!result.success) throw new InvalidInputError(requestIssues(result.error));
}
