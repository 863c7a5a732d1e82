/**
 * W3C trace context carried in the job record, so an enqueue and the job's run are one
 * trace. With Deno's built-in OpenTelemetry on (`OTEL_DENO=true`), Deno registers its
 * tracer provider and propagator with `npm:@opentelemetry/api`: the producer records the
 * active span's `traceparent` (an HTTP request's span in `tq serve`, a `Deno.cron` tick's,
 * or whatever span the application has open), and the worker starts the job's span as its
 * child (`worker/job_span.ts`). With tracing off both are no-ops.
 *
 * @example
 * ```ts
 * import { activeTraceparent, traceContextOf } from "./trace_context.ts";
 * console.assert(activeTraceparent() === undefined); // tracing is off in this process
 * traceContextOf("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
 * ```
 * @module
 */
import { type Context, context, propagation, ROOT_CONTEXT } from "@opentelemetry/api";

/**
 * The `traceparent` of the active span, if tracing is on and a span is active.
 *
 * @example
 * ```ts
 * import { activeTraceparent } from "./trace_context.ts";
 * const traceparent = activeTraceparent(); // "00-<trace id>-<span id>-<flags>" or undefined
 * ```
 */
export function activeTraceparent(): string | undefined {
  const carrier: { traceparent?: string } = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/**
 * The context a stored `traceparent` stands for: the root context without one.
 *
 * @example
 * ```ts
 * import { ROOT_CONTEXT } from "@opentelemetry/api";
 * import { traceContextOf } from "./trace_context.ts";
 * console.assert(traceContextOf(undefined) === ROOT_CONTEXT);
 * ```
 */
export function traceContextOf(traceparent: string | undefined): Context {
  if (traceparent === undefined) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}
