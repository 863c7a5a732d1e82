/**
 * The one table of the moves a job record may make, and the record builder every transition
 * goes through: a move is refused unless the job's state is one its row starts from and the
 * resulting state one it leads to. A row per action, so the whole state machine reads here.
 *
 * @example
 * ```ts
 * import { MOVES } from "./moves.ts";
 * console.assert(MOVES.claim.from.includes("queued") && MOVES.claim.to.includes("started"));
 * ```
 * @module
 */
import { InvalidStateError } from "../errors.ts";
import type { Job, JobState } from "../job.ts";
import { withCallbackDue } from "./callback_due.ts";

/** One action's row: the states it starts from, those it leads to, and its verb for errors. */
export interface Move {
  readonly from: readonly JobState[];
  readonly to: readonly JobState[];
  /** Completes "cannot … job X" in the refusal. */
  readonly verb: string;
}

const WAITING = ["deferred", "queued", "scheduled"] as const;
const ENDED = ["finished", "failed", "canceled"] as const;

/**
 * Every move a job may make, by action. A row whose `to` holds its `from` state may leave
 * the state as it is (a heartbeat, a step, a callback's bookkeeping).
 */
export const MOVES = {
  // A worker's attempt (attempt.ts).
  claim: { from: ["queued"], to: ["started"], verb: "claim" },
  extendLease: { from: ["started"], to: ["started"], verb: "extend the lease of" },
  reportProgress: { from: ["started"], to: ["started"], verb: "report progress of" },
  finish: { from: ["started"], to: ["finished"], verb: "finish" },
  fail: { from: ["started"], to: ["scheduled", "failed", "canceled"], verb: "fail" },
  release: { from: ["started"], to: ["queued", "canceled"], verb: "release" },
  defer: { from: ["started"], to: ["scheduled", "queued", "canceled"], verb: "defer" },
  // Durable steps (steps.ts).
  recordStep: { from: ["started"], to: ["started"], verb: "record a step of" },
  suspend: {
    from: ["started"],
    to: ["scheduled", "queued", "waiting", "canceled"],
    verb: "suspend",
  },
  resume: { from: ["waiting"], to: ["queued"], verb: "resume" },
  // Time and operators (schedule.ts, operator.ts).
  promote: { from: ["scheduled"], to: ["queued"], verb: "promote" },
  runNow: { from: ["scheduled"], to: ["queued"], verb: "run now" },
  debounce: { from: ["queued", "scheduled"], to: ["queued", "scheduled"], verb: "debounce" },
  expire: { from: [...WAITING, "started"], to: ["canceled"], verb: "expire" },
  cancel: {
    from: [...WAITING, "started", "waiting"],
    // A running job is only marked: its worker ends it.
    to: ["canceled", "started"],
    verb: "cancel",
  },
  retry: { from: ["failed", "canceled"], to: ["queued"], verb: "retry" },
  // Dependants of a settling parent, lanes of groups (dependants.ts).
  waitInLane: { from: ["queued", "scheduled"], to: ["deferred"], verb: "chain" },
  waitForParents: {
    from: ["deferred"],
    to: ["deferred", "queued", "scheduled"],
    verb: "release",
  },
  loseParent: { from: ["deferred"], to: ["canceled"], verb: "cancel as a dependant" },
  // Completion callbacks of ended jobs (callbacks.ts).
  claimCallback: { from: ENDED, to: ENDED, verb: "claim the callback of" },
  settleCallback: { from: ENDED, to: ENDED, verb: "settle the callback of" },
} as const satisfies Record<string, Move>;

/** The name of a row of {@linkcode MOVES}. */
export type Action = keyof typeof MOVES;

/**
 * Refuses `action` on `job` unless its row starts from the job's state and leads to `to`.
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { checkMove } from "./moves.ts";
 * const job = createJob({ id: "a", task: "t", input: 1 }, 0);
 * checkMove(job, "claim", "started"); // queued → started: allowed
 * ```
 */
export function checkMove(job: Job, action: Action, to: JobState = job.state): void {
  const row: Move = MOVES[action];
  if (!row.from.includes(job.state)) throw new InvalidStateError(job.id, job.state, row.verb);
  if (!row.to.includes(to)) {
    throw new RangeError(`${action} cannot move job ${job.id} from ${job.state} to ${to}`);
  }
}

/**
 * The record after `action`, one version on, once {@linkcode MOVES} allows it; a field set
 * to `undefined` is removed, not kept, and a job that has just ended gets its callback due.
 * Built key by key, in the order a spread gives: deleting from a copy would turn it into a
 * slow dictionary object, and every settled job is measured and encoded after this.
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { move } from "./moves.ts";
 * const job = createJob({ id: "a", task: "t", input: 1, runAt: 50 }, 0);
 * const queued = move(job, "promote", { state: "queued" });
 * console.assert(queued.state === "queued" && queued.version === 2);
 * ```
 */
export function move(job: Job, action: Action, changes: Partial<Job>): Job {
  checkMove(job, action, changes.state ?? job.state);
  const from = job as unknown as Record<string, unknown>;
  const to = changes as Record<string, unknown>;
  const changed: Record<string, unknown> = {};
  for (const key in from) {
    const value = key in to ? to[key] : from[key];
    if (value !== undefined) changed[key] = value;
  }
  for (const key in to) if (!(key in from) && to[key] !== undefined) changed[key] = to[key];
  changed.version = job.version + 1;
  return withCallbackDue(job, changed as unknown as Job);
}

/**
 * The changes that end a job canceled at `now` for `reason`, kept for `ttlMs`: what cancel
 * does, and what a worker does instead of retrying, releasing, deferring or suspending a
 * job whose cancel was asked for while it ran.
 *
 * @example
 * ```ts
 * import { canceledAt } from "./moves.ts";
 * console.assert(canceledAt(5, "no longer needed", 10).expiresAt === 15);
 * ```
 */
export function canceledAt(now: number, reason: string, ttlMs: number): Partial<Job> {
  return {
    state: "canceled",
    cancelReason: reason,
    waitEvent: undefined,
    waitKey: undefined,
    endedAt: now,
    leaseExpiresAt: undefined,
    expiresAt: now + ttlMs,
  };
}
