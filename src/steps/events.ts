/**
 * Events for `ctx.waitForEvent`: `POST /events` and `producer.sendEvent()` keep the event
 * for {@linkcode EVENT_TTL_MS} and wake every job waiting for its name and key; a job that
 * begins to wait later looks for a kept event first ({@linkcode catchUpEvent}); events are
 * kept as keyed records (`kept_events.ts`). Both sides write first and look second (the
 * event, then the waiting jobs; the wait, then the events), so whichever comes second sees
 * the other, and the conditional resume (`resumeJob`) lets only one of them wake the job.
 *
 * @example
 * ```ts ignore
 * const { woken } = await deliverEvent(store, clock, { event: "order.approved", key: "o1" });
 * ```
 * @module
 */
import type { Clock } from "../clock.ts";
import { type FieldIssue, InvalidInputError } from "../errors.ts";
import { newJobId } from "../ids.ts";
import { textProblem } from "../input_rules.ts";
import type { Job } from "../job.ts";
import { jsonBytes } from "../store/json_bytes.ts";
import type { Store } from "../store/store.ts";
import { resumeJob } from "../transitions/mod.ts";
import { type EventRecord, keepEvent, keptEvents } from "./kept_events.ts";
import type { EventToSend } from "../registry/default_producer.ts";

/** How long an event is kept for jobs that reach their wait after it was sent: 24 hours. */
export const EVENT_TTL_MS = 24 * 3_600_000;
/** Largest event data, as JSON. */
export const MAX_EVENT_DATA_BYTES = 16 * 1024;
/** Longest event name and key. */
export const MAX_EVENT_TEXT = 200;
/** Waiting jobs woken per write. */
const WAKE_BATCH = 100;
/** Kept events a wait looks through for one it has not taken yet. */
const CATCH_UP_LIMIT = 100;

/**
 * What is wrong with an event, by field name (none: an empty list).
 *
 * @example
 * ```ts
 * import { eventIssues } from "./events.ts";
 * console.assert(eventIssues({ event: "" })[0].path === "event");
 * console.assert(eventIssues({ event: "order.approved", key: "o1", data: { ok: 1 } }).length === 0);
 * ```
 */
export function eventIssues(request: EventToSend): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const text = (value: unknown, path: string, empty: boolean) => {
    const problem = typeof value !== "string"
      ? "must be a string"
      : (!empty && value === "") || value.length > MAX_EVENT_TEXT
      ? `must be ${empty ? 0 : 1}-${MAX_EVENT_TEXT} characters`
      : textProblem(value);
    if (problem) issues.push({ path, message: problem });
  };
  text(request.event, "event", false);
  if (request.key !== undefined) text(request.key, "key", true);
  if (request.data === null) {
    // A wait that times out resolves null: an event's data must differ from that.
    issues.push({ path: "data", message: "must not be null (leave it out: the wait gets {})" });
  } else if (request.data !== undefined) {
    let bytes: number;
    try {
      bytes = jsonBytes(request.data);
    } catch {
      bytes = NaN;
    }
    if (Number.isNaN(bytes)) issues.push({ path: "data", message: "must be JSON" });
    else if (bytes > MAX_EVENT_DATA_BYTES) {
      issues.push({
        path: "data",
        message: `must be at most ${MAX_EVENT_DATA_BYTES} bytes of JSON`,
      });
    }
  }
  return issues;
}

/**
 * Checks an event (`InvalidInputError` naming each bad field), then delivers it.
 *
 * @example
 * ```ts ignore
 * const { woken } = await sendEventTo(store, clock, { event: "order.approved", key: "o1" });
 * ```
 */
export function sendEventTo(
  store: Store,
  clock: Clock,
  request: EventToSend,
): Promise<{ woken: number }> {
  const issues = eventIssues(request);
  if (issues.length > 0) return Promise.reject(new InvalidInputError(issues));
  return deliverEvent(store, clock, request);
}

/**
 * Keeps a (checked) event and wakes the jobs waiting for it; answers how many it woke.
 *
 * @example
 * ```ts ignore
 * const { woken } = await deliverEvent(store, clock, { event: "order.approved", key: "o1" });
 * ```
 */
export async function deliverEvent(
  store: Store,
  clock: Clock,
  request: EventToSend,
): Promise<{ woken: number }> {
  const sentAt = clock.now();
  const event: EventRecord = {
    id: newJobId(sentAt),
    name: request.event,
    key: request.key ?? "",
    data: request.data === undefined ? {} : JSON.parse(JSON.stringify(request.data)),
    sentAt,
  };
  await keepEvent(store, { event, ttlMs: EVENT_TTL_MS });
  let woken = 0;
  while (true) {
    const waiting = await store.jobListWaiting({
      event: event.name,
      key: event.key,
      limit: WAKE_BATCH,
    });
    if (waiting.length === 0) break;
    const now = clock.now();
    const updates = waiting.map((job) => ({ before: job, after: resumeJob(job, { now, event }) }));
    const { applied } = await store.jobUpdateMany({ updates });
    woken += applied.length;
    // Those not applied moved meanwhile (woken by the timeout or another sender): not ours.
    if (waiting.length < WAKE_BATCH || applied.length === 0) break;
  }
  return { woken };
}

/**
 * For a job that has just begun to wait: wakes it with the first kept event of its name and
 * key sent since it was enqueued that none of its earlier waits took. True if it did.
 *
 * @example
 * ```ts ignore
 * if (written.state === "waiting") await catchUpEvent(store, clock, written);
 * ```
 */
export async function catchUpEvent(store: Store, clock: Clock, job: Job): Promise<boolean> {
  if (job.state !== "waiting" || job.waitEvent === undefined) return false;
  const taken = new Set(job.steps?.flatMap((step) => step.eventId ? [step.eventId] : []));
  const kept = await keptEvents(store, {
    name: job.waitEvent,
    key: job.waitKey ?? "",
    since: job.createdAt,
    limit: CATCH_UP_LIMIT,
  });
  const event = kept.find((e) => !taken.has(e.id) && clock.now() - e.sentAt <= EVENT_TTL_MS);
  if (!event) return false;
  const after = resumeJob(job, { now: clock.now(), event });
  const { applied } = await store.jobUpdateMany({ updates: [{ before: job, after }] });
  return applied.length > 0;
}
