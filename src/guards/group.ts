/**
 * Ordered groups and concurrency keys: one mechanism. A key (a `group`, or a
 * `concurrencyKey` with its limit n; a group is a key with limit 1) has at most n *lanes*,
 * chains of jobs that run one after another. The store keeps each key's lanes as the ids of
 * their newest jobs ("tails"). A new job of a key with fewer than n live lanes (a lane is
 * live while its tail has not ended) starts a lane and is queued as usual; otherwise it is
 * chained behind the tail of the lane appended to least recently (so lanes take turns): it
 * waits `deferred` with `groupAfter` naming that job, and is one of its `dependants`. The
 * commit that ends the predecessor (finished, failed for good, or canceled) queues the next
 * one, exactly as dependencies do (`src/flows/`). A job waiting for its retry backoff, or
 * whose worker died and whose lease has not been rescued yet, has not ended, so it keeps its
 * lane. Claims never look at keys: jobs without one pay nothing, and a key never has more
 * than n jobs queued, scheduled or running, so its backlog cannot crowd other keys out of
 * the ready index; a released job is ready from the time it was released, behind the jobs
 * of other keys that waited longer (keys take turns).
 *
 * A job that leaves its lane while waiting (canceled, expired or deleted before its turn)
 * hands the job after it to the job before it ({@linkcode laneHandOver}, in the same commit),
 * and a lane whose newest job left that way stays taken by the job before it
 * ({@linkcode laneTails}): the key never runs over its limit.
 *
 * A job is placed in its lane when it is enqueued: a slow job holds back the jobs chained
 * behind it even while the key's other lanes are idle (each lane is one at a time, like a
 * group).
 *
 * @example
 * ```ts
 * import { linkChains } from "./group.ts";
 * import { createJob } from "../transitions/mod.ts";
 * const [a, b] = ["a", "b"].map((id) => createJob({ id, task: "t", input: 1, group: "g" }, 0));
 * const { jobs } = linkChains([a, b], new Map());
 * console.assert(jobs[0].state === "queued" && jobs[1].groupAfter === "a");
 * ```
 * @module
 */
import type { FieldIssue } from "../errors.ts";
import { isTerminal, type Job } from "../job.ts";
import { waitInLane } from "../transitions/mod.ts";

/** The longest group key, in characters. */
export const MAX_GROUP_CHARS = 200;

/**
 * How long a key (group or concurrency key) remembers its lanes after the last enqueue into
 * it. A chain still waiting after that long loses its order with jobs enqueued later
 * (documented).
 */
export const GROUP_TTL_MS = 30 * 86_400_000;

/**
 * What is wrong with a request's `group`, by the API's field names.
 *
 * @example
 * ```ts
 * import { groupIssues } from "./group.ts";
 * console.assert(groupIssues({ group: "" })[0].path === "group");
 * console.assert(groupIssues({ group: "user:42" }).length === 0);
 * ```
 */
export function groupIssues(
  { group, dependsOn, idempotencyKey }: {
    group?: unknown;
    dependsOn?: unknown;
    idempotencyKey?: unknown;
  },
): FieldIssue[] {
  if (group === undefined) return [];
  if (typeof group !== "string" || group.length === 0 || group.length > MAX_GROUP_CHARS) {
    return [{ path: "group", message: `must be 1-${MAX_GROUP_CHARS} characters` }];
  }
  if (dependsOn !== undefined) {
    return [{ path: "group", message: "not taken together with depends_on" }];
  }
  if (idempotencyKey !== undefined) {
    return [{ path: "group", message: "not taken together with idempotency_key" }];
  }
  return [];
}

/** A key a job is chained under: its group (one lane) or its concurrency key (`limit` lanes). */
export interface ChainKey {
  kind: "group" | "concurrency";
  key: string;
  limit: number;
}

/**
 * The key `job` is chained under, if any.
 *
 * @example
 * ```ts
 * import { chainKeyOf } from "./group.ts";
 * import { createJob } from "../transitions/mod.ts";
 * const job = createJob({ id: "a", task: "t", input: 1, concurrency: { key: "k", limit: 3 } }, 0);
 * console.assert(chainKeyOf(job)?.limit === 3);
 * ```
 */
export function chainKeyOf(job: Job): ChainKey | undefined {
  if (job.group !== undefined) return { kind: "group", key: job.group, limit: 1 };
  if (job.concurrencyKey === undefined) return undefined;
  return { kind: "concurrency", key: job.concurrencyKey, limit: job.concurrencyLimit ?? 1 };
}

/**
 * One string per chain key, unique across kinds: what {@linkcode linkChains} maps by.
 *
 * @example
 * ```ts
 * import { chainId } from "./group.ts";
 * console.assert(chainId({ kind: "group", key: "g", limit: 1 }) === "group:g");
 * ```
 */
export function chainId({ kind, key }: ChainKey): string {
  return `${kind}:${key}`;
}

/**
 * The distinct chain keys of `jobs`, in order of first use.
 *
 * @example
 * ```ts
 * import { chainKeys } from "./group.ts";
 * import { createJob } from "../transitions/mod.ts";
 * const jobs = ["a", "b"].map((id) => createJob({ id, task: "t", input: 1, group: "g" }, 0));
 * console.assert(chainKeys(jobs).length === 1);
 * ```
 */
export function chainKeys(jobs: Job[]): ChainKey[] {
  const keys = new Map<string, ChainKey>();
  for (const job of jobs) {
    const chain = chainKeyOf(job);
    if (chain && !keys.has(chainId(chain))) keys.set(chainId(chain), chain);
  }
  return [...keys.values()];
}

/**
 * A key's lanes as the store keeps them, one string: a lone tail id as it is (what a
 * group's record always held), several as a JSON array.
 *
 * @example
 * ```ts
 * import { laneIds, laneRecord } from "./group.ts";
 * console.assert(laneIds(laneRecord(["a", "b"]))[1] === "b" && laneRecord(["a"]) === "a");
 * ```
 */
export function laneRecord(tails: string[]): string {
  return tails.length === 1 ? tails[0] : JSON.stringify(tails);
}

/**
 * The tail ids of a stored lane record (null: the key has none).
 *
 * @example
 * ```ts
 * import { laneIds } from "./group.ts";
 * console.assert(laneIds(null).length === 0 && laneIds("a")[0] === "a");
 * ```
 */
export function laneIds(record: string | null): string[] {
  if (record === null || record === "") return [];
  return record.startsWith("[") ? JSON.parse(record) : [record];
}

/** New jobs chained into their keys' lanes, and the stored tails that gain a successor. */
export interface ChainLinks {
  /** The new jobs, in order: those starting a lane as created, the others deferred. */
  jobs: Job[];
  /** Stored jobs still waiting or running that each gain a successor. */
  predecessors: { before: Job; after: Job }[];
  /** Every key's lane tails after the insert, by {@linkcode chainId}: the store records these. */
  lanes: Map<string, string[]>;
}

/**
 * Chains `jobs` (some with a group or concurrency key) into their keys' lanes. `stored`
 * holds, by {@linkcode chainId}, each key's lane tails as the store names them (null where
 * that job is gone), least recently appended first; keys of `jobs` it lacks have none.
 *
 * @example
 * ```ts
 * import { linkChains } from "./group.ts";
 * import { createJob } from "../transitions/mod.ts";
 * const tail = createJob({ id: "a", task: "t", input: 1, group: "g" }, 0);
 * const next = createJob({ id: "b", task: "t", input: 1, group: "g" }, 1);
 * const { jobs, predecessors } = linkChains([next], new Map([["group:g", [tail]]]));
 * console.assert(jobs[0].state === "deferred" && predecessors[0].after.dependants?.[0] === "b");
 * ```
 */
export function linkChains(jobs: Job[], stored: Map<string, (Job | null)[]>): ChainLinks {
  const read = new Map<string, Job>();
  const lanes = new Map<string, string[]>();
  for (const [id, tails] of stored) {
    const present = tails.filter((tail): tail is Job => tail !== null);
    present.forEach((tail) => read.set(tail.id, tail));
    lanes.set(id, present.map((tail) => tail.id));
  }
  const fresh = new Map<string, Job>();
  const changed = new Map<string, Job>();
  const current = (id: string) => fresh.get(id) ?? changed.get(id) ?? read.get(id);
  for (const job of jobs) {
    fresh.set(job.id, job);
    const chain = chainKeyOf(job);
    if (!chain) continue;
    const id = chainId(chain);
    const live = (lanes.get(id) ?? []).filter((tail) => !isTerminal(current(tail)!.state));
    if (live.length < chain.limit) {
      lanes.set(id, [...live, job.id]);
      continue;
    }
    const [previousId, ...others] = live;
    lanes.set(id, [...others, job.id]);
    const previous = current(previousId)!;
    const holder = fresh.has(previousId) ? fresh : changed;
    holder.set(previousId, { ...previous, dependants: [...previous.dependants ?? [], job.id] });
    fresh.set(job.id, waitInLane(job, previousId));
  }
  const predecessors = [...changed.values()].map((after) => {
    const before = read.get(after.id)!;
    return { before, after: { ...after, version: before.version + 1 } };
  });
  return { jobs: jobs.map((job) => fresh.get(job.id)!), predecessors, lanes };
}

/**
 * Whether `job` ended while it still waited in a lane (canceled, expired or deleted before
 * its turn): the job after it then waits for the job before it instead of starting (see
 * {@linkcode laneHandOver}).
 *
 * @example
 * ```ts
 * import { endedWaiting } from "./group.ts";
 * import { createJob } from "../transitions/mod.ts";
 * const job = { ...createJob({ id: "b", task: "t", input: 1, group: "g" }, 0), groupAfter: "a", pendingParents: 1 };
 * console.assert(endedWaiting({ ...job, state: "canceled" }));
 * ```
 */
export function endedWaiting(job: Job): boolean {
  return job.groupAfter !== undefined && job.pendingParents !== undefined &&
    (job.state === "canceled" || job.state === "failed");
}

/**
 * When `ended` left its lane while waiting, the job after it (`successor`, waiting for it)
 * moves up to wait for the job before it (`predecessor`, still running or waiting), which
 * lists it among its dependants instead: the lane keeps its one job at a time, so a key
 * never runs over its limit. Null when there is nothing to hand over (the predecessor
 * ended or is gone): the successor is then released as usual.
 *
 * @example
 * ```ts
 * import { laneHandOver } from "./group.ts";
 * import { createJob } from "../transitions/mod.ts";
 * const make = (id: string) => createJob({ id, task: "t", input: 1, group: "g" }, 0);
 * const a = { ...make("a"), dependants: ["b"] };
 * const b = { ...make("b"), state: "canceled" as const, groupAfter: "a", pendingParents: 1, dependants: ["c"] };
 * const c = { ...make("c"), state: "deferred" as const, groupAfter: "b", pendingParents: 1 };
 * const moved = laneHandOver(b, c, a);
 * console.assert(moved?.successor.groupAfter === "a" && moved.predecessor.dependants?.[0] === "c");
 * ```
 */
export function laneHandOver(
  ended: Job,
  successor: Job,
  predecessor: Job | null,
): { successor: Job; predecessor: Job } | null {
  if (!endedWaiting(ended) || successor.groupAfter !== ended.id) return null;
  if (successor.state !== "deferred" || !predecessor || isTerminal(predecessor.state)) return null;
  const dependants = (predecessor.dependants ?? []).filter((id) => id !== ended.id);
  return {
    successor: { ...successor, groupAfter: predecessor.id, version: successor.version + 1 },
    predecessor: {
      ...predecessor,
      dependants: [...dependants, successor.id],
      version: predecessor.version + 1,
    },
  };
}

/** How many jobs that left a lane while waiting {@linkcode laneTails} follows back at most. */
const MAX_TAIL_HOPS = 10;

/**
 * Each lane's tail as `linkChains` should see it, given the tail ids a key's record names:
 * a tail that ended while waiting (canceled or expired before its turn) stands for the job
 * it waited for, so the lane stays taken until its last live job ends. `read` gives records
 * by id (null when gone); it is called once per step back.
 *
 * @example
 * ```ts ignore
 * const tails = await laneTails([["a", "b"]], (ids) => store.jobGetMany(ids));
 * ```
 */
export async function laneTails(
  tailIds: string[][],
  read: (ids: string[]) => Promise<(Job | null)[]>,
): Promise<(Job | null)[][]> {
  const known = new Map<string, Job | null>();
  /** The job a lane's tail stands for; undefined while a record on the way is unread. */
  const follow = (id: string): Job | null | undefined => {
    let job = known.get(id);
    for (let hop = 0; job && endedWaiting(job) && hop < MAX_TAIL_HOPS; hop++) {
      job = known.get(job.groupAfter!);
    }
    return job;
  };
  const unread = (id: string): string[] => {
    let job = known.get(id);
    if (job === undefined) return [id];
    for (let hop = 0; job && endedWaiting(job) && hop < MAX_TAIL_HOPS; hop++) {
      const next: Job | null | undefined = known.get(job.groupAfter!);
      if (next === undefined) return [job.groupAfter!];
      job = next;
    }
    return [];
  };
  let wanted = [...new Set(tailIds.flat())];
  for (let hop = 0; wanted.length > 0 && hop <= MAX_TAIL_HOPS; hop++) {
    const records = await read(wanted);
    wanted.forEach((id, i) => known.set(id, records[i]));
    wanted = [...new Set(tailIds.flat().flatMap(unread))];
  }
  return tailIds.map((lane) => lane.map((id) => follow(id) ?? null));
}
