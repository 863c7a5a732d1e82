/**
 * Keeps the lines handlers write with `ctx.log()` with their job, for the dashboard's job
 * page. Lines are gathered and written together at the next macrotask (one store write
 * for a burst), each trimmed, and at most {@linkcode MAX_LINES_PER_ATTEMPT} per attempt
 * so a chatty handler cannot fill the store.
 *
 * @example
 * ```ts ignore
 * const lines = new LogLines({ store, workerId, clock, logger });
 * lines.add(job, "calling the email API", { email });
 * await lines.flush();
 * ```
 * @module
 */
import { monotonicFactory } from "ulid";
import type { Clock } from "../clock.ts";
import type { Job } from "../job.ts";
import type { Logger } from "../log.ts";
import type { Store } from "../store/store.ts";
import { jobLogAppend, type JobLogLine } from "../job_log/job_log.ts";

/** Lines kept per attempt of a job; the rest are counted in one last line. */
export const MAX_LINES_PER_ATTEMPT = 200;
/** Longest message, and longest JSON of the fields, kept per line. */
const MAX_MESSAGE = 2_000;
const MAX_FIELDS_JSON = 2_000;

const seq = monotonicFactory();

/** What {@linkcode LogLines} needs. */
export interface LogLinesOptions {
  store: Store;
  workerId: string;
  clock: Clock;
  logger: Logger;
}

/**
 * Buffers and writes `ctx.log()` lines.
 *
 * @example
 * ```ts ignore
 * lines.add(job, "step 2 of 3");
 * ```
 */
export class LogLines {
  readonly #o: LogLinesOptions;
  #pending: JobLogLine[] = [];
  #flushing: Promise<void> = Promise.resolve();
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Lines written per `jobId:attempt`, while the attempt runs. */
  readonly #counts = new Map<string, number>();

  constructor(options: LogLinesOptions) {
    this.#o = options;
  }

  /** Queues a line of `job`'s current attempt. */
  add(job: Job, message: string, fields?: Record<string, unknown>): void {
    const attemptKey = `${job.id}:${job.attempts}`;
    const n = (this.#counts.get(attemptKey) ?? 0) + 1;
    this.#counts.set(attemptKey, n);
    if (n > MAX_LINES_PER_ATTEMPT + 1) return;
    const at = this.#o.clock.now();
    const line: JobLogLine = {
      jobId: job.id,
      seq: seq(at),
      at,
      attempt: job.attempts,
      message: n > MAX_LINES_PER_ATTEMPT
        ? `(more lines of this attempt were dropped: ${MAX_LINES_PER_ATTEMPT} are kept)`
        : String(message).slice(0, MAX_MESSAGE),
      workerId: this.#o.workerId,
    };
    const json = fields === undefined ? undefined : safeJson(fields);
    if (json && n <= MAX_LINES_PER_ATTEMPT) {
      line.fields = json.length <= MAX_FIELDS_JSON
        ? JSON.parse(json)
        : { truncated: json.slice(0, MAX_FIELDS_JSON) };
    }
    this.#pending.push(line);
    this.#timer ??= setTimeout(() => void this.flush(), 0);
  }

  /** Forgets an attempt's line count once the attempt is over. */
  end(job: Job): void {
    if (this.#counts.size === 0) return; // most handlers log nothing: no key to build
    this.#counts.delete(`${job.id}:${job.attempts}`);
  }

  /** Writes every queued line; a failing store is logged and the lines dropped. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const lines = this.#pending;
    this.#pending = [];
    this.#flushing = this.#flushing.then(async () => {
      if (lines.length === 0) return;
      try {
        await jobLogAppend(this.#o.store, lines);
      } catch (error) {
        this.#o.logger.warn("job_log:error", { error: String(error), lines: lines.length });
      }
    });
    return this.#flushing;
  }
}

function safeJson(fields: Record<string, unknown>): string | undefined {
  try {
    return JSON.stringify(fields);
  } catch {
    return undefined;
  }
}
