/**
 * The caps of a claim (`JobClaimParams.caps`) as the stores that pick jobs in TypeScript
 * apply them (the KV file, PostgreSQL; Redis's `claim_capped.lua.ts` mirrors it): jobs are
 * looked at best first, and one is taken while neither its task's nor its queue's cap is
 * used up; one past a cap is passed over, and the next is looked at.
 *
 * @example
 * ```ts
 * import { CapsLeft } from "./claim_caps.ts";
 * const left = new CapsLeft({ tasks: { send: 1 } });
 * console.assert(left.take({ task: "send", queue: "mail" }));
 * console.assert(!left.take({ task: "send", queue: "mail" }));
 * console.assert(left.take({ task: "other", queue: "mail" }));
 * ```
 * @module
 */
import type { ClaimCaps } from "./store.ts";

/** What is left of a claim's caps while it picks jobs. */
export class CapsLeft {
  readonly #tasks: Map<string, number>;
  readonly #queues: Map<string, number>;

  constructor(caps: ClaimCaps) {
    this.#tasks = new Map(Object.entries(caps.tasks ?? {}));
    this.#queues = new Map(Object.entries(caps.queues ?? {}));
  }

  /**
   * Counts a job of `task` in `queue` against its caps and answers true, or answers false
   * (and counts nothing) when one of them is used up.
   */
  take({ task, queue }: { task: string; queue: string }): boolean {
    const forTask = this.#tasks.get(task) ?? Infinity;
    const forQueue = this.#queues.get(queue) ?? Infinity;
    if (forTask <= 0 || forQueue <= 0) return false;
    if (this.#tasks.has(task)) this.#tasks.set(task, forTask - 1);
    if (this.#queues.has(queue)) this.#queues.set(queue, forQueue - 1);
    return true;
  }

  /** Whether `queue`'s own cap is used up: no job of it can be taken any more. */
  queueFull(queue: string): boolean {
    return (this.#queues.get(queue) ?? Infinity) <= 0;
  }

  /** The caps still left. */
  remaining(): ClaimCaps {
    return { tasks: Object.fromEntries(this.#tasks), queues: Object.fromEntries(this.#queues) };
  }
}
