/**
 * `tq doctor`'s store primitives on the KV file (see `../audit.ts`): every index entry is
 * checked against its record, and every record against the entries it implies
 * (`indexEntries` in `keys.ts`); one problem is repaired in one atomic commit that checks
 * the record's versionstamp (or its absence), so a repair never undoes a worker's write.
 * Batch counts are set in a commit that checks every count entry read.
 *
 * @example
 * ```ts ignore
 * const audit = new KvAudit(kv);
 * for (const problem of await audit.indexAudit({ limit: 100 })) await audit.indexRepair({ problem });
 * ```
 * @module
 */
import { type Job, JOB_STATES, type JobState } from "../../job.ts";
import type { BatchCountsFixParams, IndexProblem, QueueCountsFixParams } from "../audit.ts";
import { emptyBatchCounts } from "../batches.ts";
import { batchCountKey } from "./batches.ts";
import { countKey, indexEntries, jobKey } from "./keys.ts";
import { commitWhileLocked } from "./lock_retry.ts";
import { getRecords } from "./reads.ts";

/** The index prefixes whose keys end with a job id. */
const INDEXES = ["ready", "sched", "lease", "exp", "callback", "state", "waiting"] as const;
/** Entries checked per round of record reads. */
const CHUNK = 200;
/** KV's most keys per `getMany`. */
const KEYS_PER_GET = 10;

const keyId = (key: Deno.KvKey) =>
  JSON.stringify(key, (_, v) => typeof v === "bigint" ? `${v}n` : v);

/** Audits and repairs of one KV file. */
export class KvAudit {
  readonly #kv: Deno.Kv;

  constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  /**
   * The problems found, each confirmed by one consistent read of its entry and its record:
   * the scan reads in batches while workers write, and a job that moved meanwhile looks
   * like a disagreement once and never again.
   */
  async indexAudit({ limit }: { limit: number }): Promise<IndexProblem[]> {
    const found = await this.#scan(limit);
    const confirmed: IndexProblem[] = [];
    for (const problem of found) if (await this.#holds(problem)) confirmed.push(problem);
    return confirmed;
  }

  async #holds(problem: IndexProblem): Promise<boolean> {
    const key = problem.entry as Deno.KvKey;
    const [entry, record] = await this.#kv.getMany<[unknown, Job]>([key, jobKey(problem.jobId)]);
    const implied = () => indexEntries(record.value!).some((e) => keyId(e.key) === keyId(key));
    switch (problem.kind) {
      case "entry_without_record":
        return entry.versionstamp !== null && record.versionstamp === null;
      case "entry_disagrees":
        return entry.versionstamp !== null && record.value?.version === problem.version &&
          !implied();
      case "record_unindexed":
        return entry.versionstamp === null && record.value?.version === problem.version &&
          implied();
    }
  }

  async #scan(limit: number): Promise<IndexProblem[]> {
    const problems: IndexProblem[] = [];
    for (const index of INDEXES) {
      let keys: Deno.KvKey[] = [];
      const check = async () => {
        const records = await getRecords(this.#kv, keys.map((key) => key.at(-1) as string));
        keys.forEach((key, i) => {
          const jobId = key.at(-1) as string;
          const record = records[i];
          if (!record) problems.push({ kind: "entry_without_record", jobId, index, entry: key });
          else if (!indexEntries(record.job).some((e) => keyId(e.key) === keyId(key))) {
            const version = record.job.version;
            problems.push({ kind: "entry_disagrees", jobId, index, version, entry: key });
          }
        });
        keys = [];
      };
      for await (const entry of this.#kv.list({ prefix: [index] })) {
        keys.push(entry.key);
        if (keys.length === CHUNK) await check();
        if (problems.length >= limit) return problems.slice(0, limit);
      }
      await check();
    }
    // Every entry each record implies, looked up 10 keys a read, many reads at once.
    let wanted: { job: Job; key: Deno.KvKey }[] = [];
    const lookUp = async () => {
      const reads: Promise<Deno.KvEntryMaybe<unknown>[]>[] = [];
      for (let i = 0; i < wanted.length; i += KEYS_PER_GET) {
        reads.push(this.#kv.getMany(wanted.slice(i, i + KEYS_PER_GET).map((w) => w.key)));
      }
      (await Promise.all(reads)).flat().forEach((read, i) => {
        if (read.versionstamp !== null) return;
        const { job, key } = wanted[i];
        const index = String(key[0]);
        problems.push({
          kind: "record_unindexed",
          jobId: job.id,
          index,
          version: job.version,
          entry: key,
        });
      });
      wanted = [];
    };
    for await (const entry of this.#kv.list<Job>({ prefix: ["job"] })) {
      for (const { key } of indexEntries(entry.value)) wanted.push({ job: entry.value, key });
      if (wanted.length >= CHUNK) await lookUp();
      if (problems.length >= limit) break;
    }
    await lookUp();
    return problems.slice(0, limit);
  }

  async indexRepair({ problem }: { problem: IndexProblem }): Promise<boolean> {
    const [record] = await getRecords(this.#kv, [problem.jobId]);
    const atomic = this.#kv.atomic().check({
      key: jobKey(problem.jobId),
      versionstamp: record?.stamp ?? null,
    });
    switch (problem.kind) {
      case "entry_without_record":
        if (record) return false;
        atomic.delete(problem.entry as Deno.KvKey);
        break;
      case "entry_disagrees": {
        if (record?.job.version !== problem.version) return false;
        const key = keyId(problem.entry as Deno.KvKey);
        if (indexEntries(record!.job).some((e) => keyId(e.key) === key)) return false;
        atomic.delete(problem.entry as Deno.KvKey);
        break;
      }
      case "record_unindexed":
        if (record?.job.version !== problem.version) return false;
        for (const { key, value } of indexEntries(record!.job)) atomic.set(key, value);
        break;
    }
    return (await commitWhileLocked(atomic)).ok;
  }

  batchCountsFix({ id, from, to }: BatchCountsFixParams): Promise<boolean> {
    return this.#countsFix(JOB_STATES.map((state) => batchCountKey(id, state)), from, to);
  }

  queueCountsFix({ queue, from, to }: QueueCountsFixParams): Promise<boolean> {
    return this.#countsFix(JOB_STATES.map((state) => countKey(queue, state)), from, to);
  }

  /** Sets the counters `keys` (one per state, in `JOB_STATES` order) if they still are `from`. */
  async #countsFix(
    keys: Deno.KvKey[],
    from: Record<JobState, number>,
    to: Record<JobState, number>,
  ): Promise<boolean> {
    const entries = await this.#kv.getMany<Deno.KvU64[]>(keys);
    const counts = emptyBatchCounts();
    const atomic = this.#kv.atomic();
    entries.forEach((entry, i) => {
      const state = JOB_STATES[i];
      if (entry.value) counts[state] = Number(BigInt.asIntN(64, entry.value.value));
      atomic.check({ key: entry.key, versionstamp: entry.versionstamp });
      atomic.set(entry.key, new Deno.KvU64(BigInt.asUintN(64, BigInt(to[state]))));
    });
    if (JOB_STATES.some((state) => counts[state] !== from[state])) return false;
    return (await commitWhileLocked(atomic)).ok;
  }
}
