/**
 * The OpenTelemetry span of one job run, `tq.job <task>`: a child of the span that enqueued
 * the job (its stored `traceparent`), with the job's id, task, queue and attempt. The
 * handler runs inside it, so the spans Deno makes for its `fetch` calls are its children.
 * It ends once the outcome is written: status error when the attempt failed (retried or
 * failed for good) or the lease was lost. Without `OTEL_DENO=true` it records nothing.
 *
 * @example
 * ```ts
 * import { JobSpan } from "./job_span.ts";
 * import { createJob } from "../transitions/mod.ts";
 * const job = createJob({ id: "01J", task: "t", input: 1 }, 0);
 * const span = new JobSpan(job);
 * const result = await span.run(() => Promise.resolve(42));
 * span.end({ ...job, state: "finished" });
 * console.assert(result === 42);
 * ```
 * @module
 */
import {
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { type Job, lastError } from "../job.ts";
import { traceContextOf } from "../trace_context.ts";

const tracer = trace.getTracer("tq");

/**
 * One job run's span, from claim to written outcome.
 *
 * @example
 * ```ts ignore
 * const span = new JobSpan(job);
 * const transition = await span.run(() => attempt(job));
 * span.end(await completer.settle(entry, transition));
 * ```
 */
export class JobSpan {
  readonly #span: Span;
  /** Undefined when there is nothing to propagate (tracing off): the hot path stays bare. */
  readonly #context: Context | undefined;

  constructor(job: Job) {
    const parent = traceContextOf(job.traceparent);
    this.#span = tracer.startSpan(`tq.job ${job.task}`, {
      kind: SpanKind.CONSUMER,
      attributes: {
        "tq.job.id": job.id,
        "tq.job.task": job.task,
        "tq.job.queue": job.queue,
        "tq.job.attempt": job.attempts,
      },
    }, parent);
    const propagate = this.#span.isRecording() || job.traceparent !== undefined;
    this.#context = propagate ? trace.setSpan(parent, this.#span) : undefined;
  }

  /** Runs `fn` with the span active (what the handler starts becomes its child). */
  run<T>(fn: () => T): T {
    return this.#context ? context.with(this.#context, fn) : fn();
  }

  /** Ends the span with what was written: the record, or null if the lease was lost. */
  end(written: Job | null): void {
    const span = this.#span;
    span.setAttribute("tq.job.outcome", written ? written.state : "lease_lost");
    const error = written && lastError(written);
    if (!written) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: "lease lost" });
    } else if ((written.state === "failed" || written.state === "scheduled") && error) {
      span.recordException({ name: error.name, message: error.message, stack: error.stack });
      span.setStatus({ code: SpanStatusCode.ERROR, message: `${error.name}: ${error.message}` });
    }
    span.end();
  }
}
