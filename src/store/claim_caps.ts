/**
 * The caps of a claim (`CappedClaimParams.caps`) as the stores that pick jobs in TypeScript
 * apply them (the KV file, PostgreSQL; Redis's `claim_capped.lua.ts` mirrors it): jobs are
 * looked at best first, and one is taken while neither its task's nor its queue's cap is
 * used up; one past a cap is passed over (noted against each of its caps used up: the
 * claim's `heldBack`), and the next is looked at, unless its queue's cap is used up: then
 * the queue is looked at no further.
 *
 * @example
 * ```ts
 * import { CapsLeft } from "./claim_caps.ts";
 * const left = new CapsLeft({ tasks: { send: 1 } });
 * console.assert(left.take({ task: "send", queue: "mail" }));
 * console.assert(!left.take({ task: "send", queue: "mail" }));
 * console.assert(left.take({ task: "other", queue: "mail" }));
 * console.assert(left.heldBack().tasks[0] === "send");
 * ```
 * @module
 */
import type { ClaimCaps, HeldBack } from "./store.ts";

/** What is left of a claim's caps while it picks jobs, and which held jobs back. */
export class CapsLeft {
  readonly #tasks: Map<string, number>;
  readonly #queues: Map<string, number>;
  readonly #held: { tasks: Set<string>; queues: Set<string> };

  constructor(caps: ClaimCaps, held = { tasks: new Set<string>(), queues: new Set<string>() }) {
    this.#tasks = new Map(Object.entries(caps.tasks ?? {}));
    this.#queues = new Map(Object.entries(caps.queues ?? {}));
    this.#held = held;
  }

  /**
   * Counts a job of `task` in `queue` against its caps and answers true, or answers false
   * (counting nothing, noting the caps that held it back) when one of them is used up.
   */
  take({ task, queue }: { task: string; queue: string }): boolean {
    const forTask = this.#tasks.get(task) ?? Infinity;
    const forQueue = this.#queues.get(queue) ?? Infinity;
    if (forQueue <= 0) this.holdBack("queues", queue);
    if (forTask <= 0) this.holdBack("tasks", task);
    if (forTask <= 0 || forQueue <= 0) return false;
    if (this.#tasks.has(task)) this.#tasks.set(task, forTask - 1);
    if (this.#queues.has(queue)) this.#queues.set(queue, forQueue - 1);
    return true;
  }

  /** Notes that the cap of task or queue `name` kept a ready job out of the claim. */
  holdBack(kind: keyof HeldBack, name: string): void {
    this.#held[kind].add(name);
  }

  /** Whether `queue`'s own cap is used up: no job of it can be taken any more. */
  queueFull(queue: string): boolean {
    return (this.#queues.get(queue) ?? Infinity) <= 0;
  }

  /** The tasks whose caps are used up: no job of theirs can be taken any more. */
  tasksFull(): string[] {
    return [...this.#tasks].filter(([, left]) => left <= 0).map(([task]) => task);
  }

  /** The caps still left. */
  remaining(): ClaimCaps {
    return { tasks: Object.fromEntries(this.#tasks), queues: Object.fromEntries(this.#queues) };
  }

  /** A copy of the caps left to try picks on, noting what it holds back here. */
  trial(): CapsLeft {
    return new CapsLeft(this.remaining(), this.#held);
  }

  /** The caps that held jobs back so far, names sorted. */
  heldBack(): HeldBack {
    return { tasks: [...this.#held.tasks].sort(), queues: [...this.#held.queues].sort() };
  }
}
