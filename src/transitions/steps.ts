/**
 * Durable steps in the record (`ctx.step`, `ctx.sleep`, `ctx.waitForEvent`): a step is kept
 * before the handler goes on; a sleep or a wait suspends the job off its worker, and an
 * event (or the wait's timeout) resumes it.
 *
 * @example
 * ```ts
 * import { claimJob, createJob, recordStep } from "./mod.ts";
 * const running = claimJob(createJob({ id: "a", task: "t", input: 1 }, 0), {
 *   workerId: "w",
 *   now: 0,
 *   leaseMs: 10,
 * });
 * const step = { name: "fetch", kind: "run" as const, state: "finished" as const, attempt: 1,
 *   startedAt: 1, finishedAt: 2 };
 * console.assert(recordStep(running, { step }).steps?.length === 1);
 * ```
 * @module
 */
import type { Job, JobStep } from "../job.ts";
import { cancelAsked } from "./attempt.ts";
import { move } from "./moves.ts";

/** `steps` with `step` in place of the entry of its name, or after the last one. */
function placeStep(steps: JobStep[] = [], step: JobStep): JobStep[] {
  const at = steps.findIndex((s) => s.name === step.name);
  return at === -1 ? [...steps, step] : steps.map((s, i) => i === at ? step : s);
}

/**
 * The running handler finished or failed a step (`ctx.step`), or passed a sleep: the step
 * is kept in the record before the handler goes on; the state does not change.
 *
 * @example
 * ```ts
 * import { claimJob, createJob, recordStep } from "./mod.ts";
 * const running = claimJob(createJob({ id: "a", task: "t", input: 1 }, 0), {
 *   workerId: "w",
 *   now: 0,
 *   leaseMs: 10,
 * });
 * const step = { name: "export", kind: "run" as const, state: "finished" as const, attempt: 1,
 *   startedAt: 1, finishedAt: 2, result: { rows: 3 } };
 * console.assert(recordStep(running, { step }).steps?.[0].name === "export");
 * ```
 */
export function recordStep(job: Job, { step }: { step: JobStep }): Job {
  return move(job, "recordStep", { steps: placeStep(job.steps, step) });
}

/**
 * The handler reached a sleep (`ctx.sleep`, a `sleeping` step: `scheduled` until its end)
 * or a wait (`ctx.waitForEvent`, a `waiting` step: `waiting` until the event or its
 * timeout). The job leaves its worker without using an attempt; it counts as started for
 * good, so its `startBy` no longer applies. A job whose cancel was asked for ends canceled.
 *
 * @example
 * ```ts
 * import { claimJob, createJob, suspendJob } from "./mod.ts";
 * const running = claimJob(createJob({ id: "a", task: "t", input: 1 }, 0), {
 *   workerId: "w",
 *   now: 0,
 *   leaseMs: 10,
 * });
 * const step = { name: "nap", kind: "sleep" as const, state: "sleeping" as const, attempt: 1,
 *   startedAt: 5, until: 2_005 };
 * const asleep = suspendJob(running, { now: 5, step, ttlMs: 1 });
 * console.assert(asleep.state === "scheduled" && asleep.runAt === 2_005 && asleep.attempts === 0);
 * ```
 */
export function suspendJob(
  job: Job,
  { now, step, ttlMs }: { now: number; step: JobStep; ttlMs: number },
): Job {
  const canceled = cancelAsked(job, now, ttlMs);
  if (canceled) return move(job, "suspend", canceled);
  const until = Math.max(step.until ?? now, now);
  const left = {
    attempts: job.attempts - 1,
    steps: placeStep(job.steps, step),
    runAt: until,
    leaseExpiresAt: undefined,
    startBy: undefined,
  };
  if (step.kind !== "event") {
    return move(job, "suspend", { ...left, state: until > now ? "scheduled" : "queued" });
  }
  return move(job, "suspend", {
    ...left,
    state: "waiting",
    waitEvent: step.event,
    waitKey: step.key ?? "",
  });
}

/** An event as delivered to a waiting job: its id and data. */
export interface DeliveredEvent {
  id: string;
  data: unknown;
}

/**
 * A waiting job's event came (`event`), or its timeout did (`null`): the wait step finishes
 * with the event's data (or null) and the job is queued to replay its handler.
 *
 * @example
 * ```ts
 * import { claimJob, createJob, resumeJob, suspendJob } from "./mod.ts";
 * const running = claimJob(createJob({ id: "a", task: "t", input: 1 }, 0), {
 *   workerId: "w",
 *   now: 0,
 *   leaseMs: 10,
 * });
 * const step = { name: "approval", kind: "event" as const, state: "waiting" as const,
 *   attempt: 1, startedAt: 0, until: 60_000, event: "order.approved", key: "o1" };
 * const waiting = suspendJob(running, { now: 0, step, ttlMs: 1 });
 * const woken = resumeJob(waiting, { now: 9, event: { id: "e1", data: { ok: true } } });
 * console.assert(woken.state === "queued" && woken.steps?.[0].state === "finished");
 * ```
 */
export function resumeJob(
  job: Job,
  { now, event }: { now: number; event: DeliveredEvent | null },
): Job {
  const steps = (job.steps ?? []).map((step): JobStep =>
    step.state !== "waiting" ? step : {
      ...step,
      state: "finished",
      finishedAt: now,
      result: event ? event.data : null,
      ...(event ? { eventId: event.id } : {}),
    }
  );
  return move(job, "resume", {
    state: "queued",
    runAt: now,
    steps,
    waitEvent: undefined,
    waitKey: undefined,
  });
}
