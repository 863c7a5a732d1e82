/**
 * A consistency check of a KV file: every job record has exactly the index entries its
 * state implies (`indexEntries` in `src/store/kv/keys.ts`), no index entry points at a
 * missing or different job, and each queue's counters equal the jobs counted by hand.
 *
 * @example
 * ```ts ignore
 * const report = await checkConsistency("./data/tq.db");
 * console.assert(report.problems.length === 0);
 * ```
 * @module
 */
import type { Job } from "../../src/job.ts";
import { indexEntries } from "../../src/store/kv/keys.ts";

/** The prefixes of index entries derived from job records. */
const INDEXES = ["ready", "sched", "lease", "exp", "callback", "state"];

/** What the check found. */
export interface ConsistencyReport {
  jobs: number;
  indexEntries: number;
  /** One line per problem; empty when the file is consistent. */
  problems: string[];
}

/** Reads the whole file at `path` (opened on its own) and checks it. */
export async function checkConsistency(path: string): Promise<ConsistencyReport> {
  const kv = await Deno.openKv(path);
  try {
    const expected = new Map<string, unknown>();
    const counted = new Map<string, number>();
    let jobs = 0;
    for await (const entry of kv.list<Job>({ prefix: ["job"] })) {
      jobs++;
      const job = entry.value;
      for (const e of indexEntries(job)) expected.set(JSON.stringify(e.key), e.value);
      const count = JSON.stringify([job.queue, job.state]);
      counted.set(count, (counted.get(count) ?? 0) + 1);
    }
    const problems: string[] = [];
    let found = 0;
    for (const index of INDEXES) {
      for await (const entry of kv.list({ prefix: [index] })) {
        found++;
        const key = JSON.stringify(entry.key);
        if (!expected.has(key)) problems.push(`orphan index entry ${key}`);
        else if (JSON.stringify(expected.get(key)) !== JSON.stringify(entry.value)) {
          problems.push(`index entry ${key} holds ${JSON.stringify(entry.value)}`);
        }
        expected.delete(key);
      }
    }
    for (const key of expected.keys()) problems.push(`missing index entry ${key}`);
    for await (const entry of kv.list<Deno.KvU64>({ prefix: ["count"] })) {
      const key = JSON.stringify(entry.key.slice(1));
      const stored = Number(BigInt.asIntN(64, entry.value.value));
      if (stored !== (counted.get(key) ?? 0)) {
        problems.push(`counter ${key} is ${stored}; the records say ${counted.get(key) ?? 0}`);
      }
      counted.delete(key);
    }
    for (const [key, n] of counted) problems.push(`no counter ${key} for ${n} jobs`);
    return { jobs, indexEntries: found, problems };
  } finally {
    kv.close();
  }
}
