/**
 * The service that sends completion callbacks, run by every worker. Each round it lists
 * the callbacks due (`store.jobListCallbackDue`), claims them with one versioned update
 * (`claimCallback`: of two workers that list the same callback, one update wins, so no
 * try is sent twice), POSTs them, and writes each outcome: delivered, due again after an
 * exponential backoff (`src/backoff.ts`), or given up after `maxTries` with a log line.
 * A sender that dies mid-send leaves its claim to run out (`leaseMs`), and another sends
 * the callback again: delivery is at least once, never lost once the job has ended.
 *
 * @example
 * ```ts ignore
 * const sender = new CallbackSender({ store, clock: systemClock, logger });
 * sender.start();
 * await sender.stop();
 * ```
 * @module
 */
import { retryDelay } from "../backoff.ts";
import type { Clock } from "../clock.ts";
import type { Backoff, Job } from "../job.ts";
import type { Logger } from "../log.ts";
import type { Store } from "../store/store.ts";
import { Service } from "../service.ts";
import {
  callbackDelivered,
  callbackFailed,
  callbackRefused,
  claimCallback,
} from "../transitions/mod.ts";
import { postCallback } from "./deliver.ts";
import { CallbackEgress, type ResolveDns, systemResolveDns } from "./egress.ts";

/** How callbacks are sent and retried. */
export interface CallbackPolicy {
  /** Tries before giving up (8: about 4 minutes of retries with the default backoff). */
  maxTries: number;
  /** The wait after failed try n: `baseMs · 2^(n-1)`, jittered, at most `maxMs`. */
  backoff: Backoff;
  /** How long one try may take before it counts as failed. */
  timeoutMs: number;
  /** How long a claim holds: a sender that died mid-send is taken over after it. */
  leaseMs: number;
  /** How often to look for due callbacks on a store without `timerWait`. */
  pollMs: number;
}

/** The default {@linkcode CallbackPolicy}. */
export const CALLBACK_POLICY: CallbackPolicy = {
  maxTries: 8,
  backoff: { baseMs: 1_000, maxMs: 60_000 },
  timeoutMs: 10_000,
  leaseMs: 60_000,
  pollMs: 250,
};

/**
 * Longest sleep on a store with `timerWait`, which wakes the sender when a callback becomes
 * due; only a safety net for a wake-up lost on its way.
 */
export const CALLBACK_IDLE_SLEEP_MS = 30_000;

/** Callbacks claimed per round. */
const CLAIM_BATCH = 20;

/** What a {@linkcode CallbackSender} needs; `fetch` and `policy` may be replaced in tests. */
export interface CallbackSenderOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  fetch?: typeof globalThis.fetch;
  policy?: Partial<CallbackPolicy>;
  /** Hosts and CIDRs allowed although internal (see `./egress.ts`). */
  allow?: readonly string[];
  /** Resolves callback hosts before each try (`Deno.resolveDns`; stubbed in tests). */
  resolveDns?: ResolveDns;
}

/**
 * Sends due completion callbacks until stopped.
 *
 * @example
 * ```ts ignore
 * new CallbackSender({ store, clock, logger, fetch: myFetch, policy: { maxTries: 3 } }).start();
 * ```
 */
export class CallbackSender extends Service {
  readonly #store: Store;
  readonly #fetch: typeof globalThis.fetch;
  readonly #policy: CallbackPolicy;
  readonly #egress: CallbackEgress;
  readonly #resolveDns: ResolveDns;

  constructor(
    { store, clock, logger, fetch = globalThis.fetch, policy, allow, resolveDns }:
      CallbackSenderOptions,
  ) {
    super("callbacks", clock, logger);
    this.#store = store;
    this.#fetch = fetch;
    this.#policy = { ...CALLBACK_POLICY, ...policy };
    this.#egress = new CallbackEgress(allow);
    this.#resolveDns = resolveDns ?? systemResolveDns;
  }

  protected override wakeUp(signal: AbortSignal): Promise<void> | undefined {
    return this.#store.timerWait?.({ timeoutMs: CALLBACK_IDLE_SLEEP_MS, signal });
  }

  protected async tick(signal: AbortSignal): Promise<number> {
    const now = this.clock.now();
    const due = await this.#store.jobListCallbackDue({ now, limit: CLAIM_BATCH });
    if (due.length === 0) return await this.#untilNextDue();
    const leaseMs = this.#policy.leaseMs;
    const updates = due.map((job) => ({
      before: job,
      after: claimCallback(job, { now, leaseMs }),
    }));
    const { applied } = await this.#store.jobUpdateMany({ updates });
    const mine = new Set(applied);
    const claimed = updates.filter((u) => mine.has(u.after.id)).map((u) => u.after);
    const settled = await Promise.all(claimed.map((job) => this.#send(job, signal)));
    // A job retried or deleted meanwhile conflicts here: its callback is moot, so drop it.
    await this.#store.jobUpdateMany({
      updates: settled.map((after, i) => ({ before: claimed[i], after })),
    });
    return due.length === CLAIM_BATCH ? 0 : await this.#untilNextDue();
  }

  /** The wait until the earliest callback due, at most the longest sleep of the store. */
  async #untilNextDue(): Promise<number> {
    if (!this.#store.timerWait) return this.#policy.pollMs;
    const [next] = await this.#store.jobListCallbackDue({
      now: Number.MAX_SAFE_INTEGER,
      limit: 1,
    });
    const dueAt = next?.callbackDueAt ?? Infinity;
    return Math.min(Math.max(dueAt - this.clock.now(), 0), CALLBACK_IDLE_SLEEP_MS);
  }

  /** Sends one claimed callback; answers the record with the outcome written in. */
  async #send(job: Job, signal: AbortSignal): Promise<Job> {
    const fields = { job_id: job.id, url: job.callbackUrl, try: job.callbackTries };
    const problem = await this.#egress.deliveryProblem(job.callbackUrl!, this.#resolveDns)
      .catch((error) => ({ refused: false, reason: String(error?.message ?? error) }));
    if (problem?.refused) {
      this.logger.error("callback:refused", { ...fields, reason: problem.reason });
      return callbackRefused(job, problem.reason);
    }
    const outcome = problem ? { ok: false as const, reason: problem.reason } : await postCallback({
      fetch: this.#fetch,
      job,
      timeoutMs: this.#policy.timeoutMs,
      signal,
    });
    if (outcome.ok) {
      this.logger.info("callback:delivered", fields);
      return callbackDelivered(job);
    }
    const retryDelayMs = retryDelay(this.#policy.backoff, job.callbackTries ?? 1);
    const after = callbackFailed(job, {
      now: this.clock.now(),
      retryDelayMs,
      maxTries: this.#policy.maxTries,
    });
    if (after.callbackOutcome === "gave_up") {
      this.logger.error("callback:gave_up", { ...fields, reason: outcome.reason });
    } else {
      this.logger.warn("callback:failed", {
        ...fields,
        reason: outcome.reason,
        retry_in_ms: retryDelayMs,
      });
    }
    return after;
  }
}
