/**
 * `tq doctor`'s store primitives on Redis (see `../audit.ts`): per queue, every member of
 * every index (`keys.ts`) is checked against its record's hash fields, and every record
 * (found by `SCAN`) against the entries it implies. A repair is one
 * `repair_index` script that holds only while the record is as found; batch counts are set
 * by `batch_counts_fix` only while their sums are as read.
 *
 * @example
 * ```ts ignore
 * const audit = new RedisAudit(redis, keys);
 * const problems = await audit.indexAudit({ limit: 100 });
 * ```
 * @module
 */
import { JOB_STATES } from "../../job.ts";
import type { BatchCountsFixParams, IndexProblem, QueueCountsFixParams } from "../audit.ts";
import { claimedInIdOrder, type RedisKeys } from "./keys.ts";
import { execPipeline, knownQueues } from "./reads.ts";
import type { ScriptedRedis } from "./scripts/mod.ts";

/** The fields an index entry is derived from, in `HMGET` order. */
const FIELDS = [
  "state",
  "version",
  "priority",
  "runAt",
  "expiresAt",
  "callbackDueAt",
  "waitEvent",
  "waitKey",
] as const;
type Fields = (string | null)[];

/** Whether the record of `id` with fields `f` is a queued job in `fifo` (`keys.ts`). */
const inFifo = (id: string, f: Fields) =>
  f[0] === "queued" && claimedInIdOrder(id, Number(f[2] ?? 0), Number(f[3]));

/** A queue's indexes whose members are ids, with whether a record's fields imply `id`. */
const ID_INDEXES: [string, (f: Fields, id: string) => boolean][] = [
  ["fifo", (f, id) => inFifo(id, f)],
  ["sched", (f) => f[0] === "scheduled" || f[0] === "waiting"],
  ["lease", (f) => f[0] === "started"],
  ["exp", (f) => f[4] !== null],
  ["callback", (f) => f[5] !== null],
  ...JOB_STATES.map((state) =>
    [`state:${state}`, (f: Fields, id: string) => f[0] === state && !inFifo(id, f)] as [
      string,
      (f: Fields, id: string) => boolean,
    ]
  ),
];

/** A ready member: run-at in 16 digits, then the id (see `indexes.lua.ts`). */
const readyMember = (runAt: string, id: string) => runAt.padStart(16, "0") + id;
/** A waiting member: the event, the key, then the id, NUL between (see `indexes.lua.ts`). */
const waitingMember = (f: Fields, id: string) => `${f[6] ?? ""}\0${f[7] ?? ""}\0${id}`;

/** Whether a record's fields imply the entry `member` of the index `index`. */
function impliedBy(index: string, member: string, id: string): (f: Fields) => boolean {
  if (index === "ready") {
    return (f) => f[0] === "queued" && !inFifo(id, f) && readyMember(f[3] ?? "", id) === member;
  }
  if (index === "waiting") return (f) => f[0] === "waiting" && waitingMember(f, id) === member;
  const implied = ID_INDEXES.find(([name]) => name === index)?.[1];
  return implied ? (f) => implied(f, id) : () => false;
}

/** Every `[index, member]` a record's fields imply. */
function expectedEntries(id: string, f: Fields): [string, string][] {
  const entries: [string, string][] = [];
  if (f[0] === "queued" && !inFifo(id, f)) entries.push(["ready", readyMember(f[3] ?? "", id)]);
  if (f[0] === "waiting") entries.push(["waiting", waitingMember(f, id)]);
  for (const [index, implied] of ID_INDEXES) if (implied(f, id)) entries.push([index, id]);
  return entries;
}

/** Redis glob characters in a key prefix, escaped for `SCAN MATCH`. */
const globEscape = (text: string) => text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

/** The repair of one problem: the `entry` of a Redis problem. */
interface RedisEntry {
  queue: string;
  /** The index's key suffix and member (empty for a reindex). */
  index: string;
  member: string;
}

/** Audits and repairs of one Redis store. */
export class RedisAudit {
  readonly #redis: ScriptedRedis;
  readonly #keys: RedisKeys;

  constructor(redis: ScriptedRedis, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  /**
   * The problems found, each confirmed by one atomic read (`MULTI`) of its entries and its
   * record: the scan reads while workers write, and a job that moved meanwhile looks like
   * a disagreement once and never again.
   */
  async indexAudit({ limit }: { limit: number }): Promise<IndexProblem[]> {
    const problems: IndexProblem[] = [];
    for (const queue of await knownQueues(this.#redis, this.#keys)) {
      const found = [...await this.#auditEntries(queue), ...await this.#auditRecords(queue)];
      for (const problem of found) if (await this.#holds(problem)) problems.push(problem);
      if (problems.length >= limit) break;
    }
    return problems.slice(0, limit);
  }

  async #holds(problem: IndexProblem): Promise<boolean> {
    const { queue, index, member } = problem.entry as RedisEntry;
    const K = this.#keys.queue(queue);
    const jobKey = this.#keys.job(queue, problem.jobId);
    if (problem.kind !== "record_unindexed") {
      const [score, fields] = await execPipeline(
        this.#redis.multi().zscore(K + index, member).hmget(jobKey, ...FIELDS),
      ) as [string | null, Fields];
      if (score === null) return false;
      if (problem.kind === "entry_without_record") return fields[0] === null;
      return fields[1] === String(problem.version) &&
        !impliedBy(index, member, problem.jobId)(fields);
    }
    const [fields] = await execPipeline(this.#redis.multi().hmget(jobKey, ...FIELDS)) as [Fields];
    if (fields[1] !== String(problem.version)) return false;
    const expected = expectedEntries(problem.jobId, fields);
    const multi = this.#redis.multi().hget(jobKey, "version");
    for (const [name, m] of expected) multi.zscore(K + name, m);
    const [version, ...scores] = await execPipeline(multi) as (string | null)[];
    return version === String(problem.version) && scores.some((score) => score === null);
  }

  async #fields(queue: string, ids: string[]): Promise<Fields[]> {
    const pipeline = this.#redis.pipeline();
    for (const id of ids) pipeline.hmget(this.#keys.job(queue, id), ...FIELDS);
    return await execPipeline(pipeline) as Fields[];
  }

  async #auditEntries(queue: string): Promise<IndexProblem[]> {
    const K = this.#keys.queue(queue);
    const found: { index: string; member: string; id: string; implied: (f: Fields) => boolean }[] =
      [];
    for (const member of await this.#redis.zrange(`${K}ready`, 0, -1)) {
      const id = member.slice(16);
      found.push({ index: "ready", member, id, implied: impliedBy("ready", member, id) });
    }
    for (const member of await this.#redis.zrange(`${K}waiting`, 0, -1)) {
      const id = member.slice(member.lastIndexOf("\0") + 1);
      found.push({ index: "waiting", member, id, implied: impliedBy("waiting", member, id) });
    }
    for (const [index] of ID_INDEXES) {
      for (const id of await this.#redis.zrange(K + index, 0, -1)) {
        found.push({ index, member: id, id, implied: impliedBy(index, id, id) });
      }
    }
    const fields = await this.#fields(queue, found.map((f) => f.id));
    return found.flatMap(({ index, member, id, implied }, i): IndexProblem[] => {
      const f = fields[i];
      const entry: RedisEntry = { queue, index, member };
      const name = K + index;
      if (f[0] === null) return [{ kind: "entry_without_record", jobId: id, index: name, entry }];
      if (implied(f)) return [];
      const version = Number(f[1]);
      return [{ kind: "entry_disagrees", jobId: id, index: name, version, entry }];
    });
  }

  async #auditRecords(queue: string): Promise<IndexProblem[]> {
    const prefix = this.#keys.job(queue, "");
    const ids: string[] = [];
    let cursor = "0";
    do {
      const [next, keys] = await this.#redis.scan(
        cursor,
        "MATCH",
        `${globEscape(prefix)}*`,
        "COUNT",
        1000,
      );
      cursor = next;
      ids.push(...keys.map((key) => key.slice(prefix.length)));
    } while (cursor !== "0");
    const fields = await this.#fields(queue, ids);
    const K = this.#keys.queue(queue);
    const expected = ids.map((id, i) => expectedEntries(id, fields[i]));
    const pipeline = this.#redis.pipeline();
    for (const [index, member] of expected.flat()) pipeline.zscore(K + index, member);
    const replies = await execPipeline(pipeline) as (string | null)[];
    const problems: IndexProblem[] = [];
    let at = 0;
    ids.forEach((id, i) => {
      const missing = expected[i].filter(() => replies[at++] === null).map(([index]) => index);
      if (fields[i][0] === null || missing.length === 0) return;
      const entry: RedisEntry = { queue, index: "", member: "" };
      const version = Number(fields[i][1]);
      const index = missing.map((name) => K + name).join(", ");
      problems.push({ kind: "record_unindexed", jobId: id, index, version, entry });
    });
    return problems;
  }

  async indexRepair({ problem }: { problem: IndexProblem }): Promise<boolean> {
    const { queue, index, member } = problem.entry as RedisEntry;
    const written = await this.#redis.tqRepairIndex(
      this.#keys.queue(queue),
      problem.kind === "record_unindexed" ? "reindex" : "drop",
      problem.jobId,
      problem.version === undefined ? "" : String(problem.version),
      index,
      member,
    );
    return written === 1;
  }

  async queueCountsFix({ queue, from, to }: QueueCountsFixParams): Promise<boolean> {
    const written = await this.#redis.tqBatchCountsFix(
      "1",
      this.#keys.counts(queue),
      String(JOB_STATES.length),
      ...JOB_STATES.flatMap((state) => [state, String(from[state]), String(to[state])]),
    );
    return written === 1;
  }

  async batchCountsFix({ id, queues, from, to }: BatchCountsFixParams): Promise<boolean> {
    if (queues.length === 0) return false;
    const hashes = queues.map((queue) => this.#keys.batchCounts(queue, id));
    const written = await this.#redis.tqBatchCountsFix(
      String(hashes.length),
      ...hashes,
      String(JOB_STATES.length),
      ...JOB_STATES.flatMap((state) => [state, String(from[state]), String(to[state])]),
    );
    return written === 1;
  }
}
