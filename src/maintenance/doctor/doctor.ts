/**
 * `tq doctor` and `GET /doctor`: finds what can never make progress (`findings.ts` for the
 * rules; the store's `indexAudit` for its own indexes) and, asked to, repairs each finding
 * with one versioned write that holds only if nothing changed since it was found, logging
 * each action. Safe to run while workers run, and idempotent: a second run finds nothing
 * the first repaired. Every record is read (a page at a time), so it is an operator's
 * tool, not a loop.
 *
 * Counts (of queues and batches) are checked only when the indexes agree, since listings
 * rest on them: after repairing index problems, run it again.
 *
 * Each finding is confirmed before it is reported: a deferred job is read again after its
 * parents (a parent that settled it meanwhile changed its version), a batch's counts before
 * and after the scan of its jobs, so a store busy with workers yields no false alarms.
 *
 * @example
 * ```ts ignore
 * const report = await runDoctor({ store, clock, logger, repair: false });
 * console.log(report.findings.length === 0 ? "clean" : report.findings);
 * ```
 * @module
 */
import type { Clock } from "../../clock.ts";
import type { Job } from "../../job.ts";
import type { Logger } from "../../log.ts";
import type { IndexProblem } from "../../store/audit.ts";
import { type BatchCounts, type BatchStatus, emptyBatchCounts } from "../../store/batches.ts";
import { batchGet, batchListOpen } from "../../batches/batch_records.ts";
import type { QueueCounts, Store } from "../../store/store.ts";
import {
  batchCountsWanted,
  type FindingKind,
  type JobFinding,
  queueCountsWanted,
  staleLease,
  stuckDependant,
} from "./findings.ts";
import { workerList } from "../../presence/worker_registry.ts";

/** Records read per page of the scan. */
const PAGE = 500;
/** The most index problems one run reports. */
const MAX_INDEX_PROBLEMS = 1_000;
/** The most open batches one run checks. */
const MAX_BATCHES = 1_000;
/** By default a lease counts as stale this long after it ran out: the default lease. */
export const DEFAULT_GRACE_MS = 30_000;
/** How long jobs canceled or failed by a repair are kept, by default: a week. */
const DEFAULT_TTL_MS = 7 * 86_400_000;

/** What {@linkcode runDoctor} needs. */
export interface DoctorOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** Repair what is found (each action logged as `doctor:repaired`). */
  repair: boolean;
  /** How long past its end a lease of a worker not seen counts as stale (30 s). */
  graceMs?: number;
  /** How long jobs a repair cancels or fails are kept (7 days). */
  ttlMs?: number;
}

/** One finding as reported (snake_case, like the API's JSON). */
export interface DoctorFinding {
  kind: FindingKind;
  job_id: string | null;
  batch_id: string | null;
  /** For `queue_counts`: the queue. */
  queue: string | null;
  message: string;
  repair: string;
  /** With `--repair`: whether the repair was written (false: the job moved meanwhile). */
  repaired?: boolean;
}

/** What one run found (and repaired). */
export interface DoctorReport {
  clean: boolean;
  /** Jobs read by the scan. */
  scanned_jobs: number;
  findings: DoctorFinding[];
}

interface BatchFinding {
  id: string;
  queues: string[];
  from: BatchCounts;
  to: BatchCounts;
}

/**
 * Scans `store` and reports (and with `repair`, repairs) what can never make progress.
 *
 * @example
 * ```ts ignore
 * const { clean } = await runDoctor({ store, clock: systemClock, logger, repair: true });
 * ```
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const { store, clock } = options;
  const now = clock.now();
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const batchesBefore = await batchListOpen(store, { limit: MAX_BATCHES });
  const countsBefore = await store.queueCounts();
  const tally = new Map<string, BatchCounts>();
  const live = new Set((await workerList(store, { now })).map((worker) => worker.id));
  const deferred: Job[] = [];
  const jobFindings: JobFinding[] = [];
  const byBatch = new Map<string, Job[]>();
  let scanned = 0;
  let cursor: string | undefined;
  do {
    const page = await store.jobList({ limit: PAGE, cursor });
    cursor = page.nextCursor;
    for (const job of page.jobs) {
      scanned++;
      const counted = tally.get(job.queue) ?? emptyBatchCounts();
      counted[job.state]++;
      tally.set(job.queue, counted);
      if (job.state === "deferred") deferred.push(job);
      const stale = staleLease(job, live, { now, graceMs, ttlMs });
      if (stale) jobFindings.push(stale);
      if (job.batchId) {
        const jobs = byBatch.get(job.batchId);
        if (jobs) jobs.push(job);
        else byBatch.set(job.batchId, [job]);
      }
    }
  } while (cursor);
  jobFindings.push(...await stuckDependants(store, deferred, { now, ttlMs }));
  const confirmed = await confirm(store, jobFindings);
  const problems = await store.indexAudit({ limit: MAX_INDEX_PROBLEMS });
  // Counts are compared with what the scan saw, and listings rest on the indexes: while
  // these disagree, counting would mislead. A run after `--repair` checks them.
  const countable = problems.length === 0;
  const batches = countable ? await batchFindings(store, batchesBefore, byBatch) : [];
  const queues = countable ? queueFindings(countsBefore, await store.queueCounts(), tally) : [];

  const findings: DoctorFinding[] = [];
  for (const finding of confirmed) {
    const reported: DoctorFinding = {
      kind: finding.kind,
      job_id: finding.job.id,
      batch_id: null,
      queue: null,
      message: finding.message,
      repair: finding.repair,
    };
    if (options.repair) {
      const { applied } = await store.jobUpdateMany({
        updates: [{ before: finding.job, after: finding.fix }],
      });
      reported.repaired = applied.includes(finding.job.id);
      logRepair(options.logger, reported);
    }
    findings.push(reported);
  }
  for (const batch of batches) {
    const reported: DoctorFinding = {
      kind: "batch_counts",
      job_id: null,
      batch_id: batch.id,
      queue: null,
      message: `open batch ${batch.id} counts ${describe(batch.from)}; its jobs say ${
        describe(batch.to)
      }`,
      repair: "set its counts from its jobs",
    };
    if (options.repair) {
      reported.repaired = await store.batchCountsFix(batch);
      logRepair(options.logger, reported);
    }
    findings.push(reported);
  }
  for (const { queue, from, to } of queues) {
    const reported: DoctorFinding = {
      kind: "queue_counts",
      job_id: null,
      batch_id: null,
      queue,
      message: `queue ${queue} counts ${describe(from)}; its jobs say ${describe(to)}`,
      repair: "set its counts from its jobs",
    };
    if (options.repair) {
      reported.repaired = await store.queueCountsFix({ queue, from, to });
      logRepair(options.logger, reported);
    }
    findings.push(reported);
  }
  for (const problem of problems) {
    const reported = indexFinding(problem);
    if (options.repair) {
      reported.repaired = await store.indexRepair({ problem });
      logRepair(options.logger, reported);
    }
    findings.push(reported);
  }
  return { clean: findings.length === 0, scanned_jobs: scanned, findings };
}

function logRepair(logger: Logger, finding: DoctorFinding): void {
  const fields = {
    kind: finding.kind,
    job_id: finding.job_id ?? undefined,
    batch_id: finding.batch_id ?? undefined,
    action: finding.repair,
  };
  if (finding.repaired) logger.warn("doctor:repaired", fields);
  else logger.info("doctor:moved_meanwhile", fields);
}

/** Deferred jobs whose parents will never settle them, read against their parents. */
async function stuckDependants(
  store: Store,
  deferred: Job[],
  at: { now: number; ttlMs: number },
): Promise<JobFinding[]> {
  const findings: JobFinding[] = [];
  for (let i = 0; i < deferred.length; i += PAGE) {
    const some = deferred.slice(i, i + PAGE);
    const ids = [
      ...new Set(
        some.flatMap((job) => [...job.dependsOn ?? [], ...job.groupAfter ? [job.groupAfter] : []]),
      ),
    ];
    const read = ids.length > 0 ? await store.jobGetMany(ids) : [];
    const parents = new Map(ids.map((id, k) => [id, read[k]]));
    for (const job of some) {
      const finding = stuckDependant(job, parents, at);
      if (finding) findings.push(finding);
    }
  }
  return findings;
}

/** The findings whose job is still at the version the rules saw (read after their inputs). */
async function confirm(store: Store, findings: JobFinding[]): Promise<JobFinding[]> {
  if (findings.length === 0) return [];
  const current = await store.jobGetMany(findings.map((f) => f.job.id));
  return findings.filter((f, i) => current[i]?.version === f.job.version);
}

/** Open batches whose counts disagree with their jobs, and did not move during the scan. */
async function batchFindings(
  store: Store,
  before: BatchStatus[],
  byBatch: Map<string, Job[]>,
): Promise<BatchFinding[]> {
  const findings: BatchFinding[] = [];
  for (const { batch, counts } of before) {
    const after = await batchGet(store, { id: batch.id });
    if (!after || after.batch.completedAt !== undefined) continue;
    if (queueCountsWanted(counts, after.counts)) continue; // busy: not now
    const wanted = batchCountsWanted(counts, byBatch.get(batch.id) ?? []);
    if (wanted) findings.push({ id: batch.id, queues: batch.queues, from: counts, to: wanted });
  }
  return findings;
}

/**
 * Queues whose counts disagree with the jobs the scan counted, and did not move during the
 * scan (while workers run, a busy queue's counts move: it is checked on a quieter run).
 */
function queueFindings(
  before: QueueCounts[],
  after: QueueCounts[],
  tally: Map<string, BatchCounts>,
): { queue: string; from: BatchCounts; to: BatchCounts }[] {
  const counts = (q: QueueCounts): BatchCounts => {
    const { name: _, ...rest } = q;
    return rest;
  };
  const later = new Map(after.map((q) => [q.name, counts(q)]));
  const names = new Set([...before.map((q) => q.name), ...tally.keys()]);
  const earlier = new Map(before.map((q) => [q.name, counts(q)]));
  return [...names].flatMap((queue) => {
    const from = earlier.get(queue) ?? emptyBatchCounts();
    if (queueCountsWanted(from, later.get(queue) ?? emptyBatchCounts())) return []; // moved
    const to = queueCountsWanted(from, tally.get(queue) ?? emptyBatchCounts());
    return to ? [{ queue, from, to }] : [];
  });
}

function describe(counts: BatchCounts): string {
  const parts = Object.entries(counts).filter(([, n]) => n !== 0).map(([s, n]) => `${s} ${n}`);
  return parts.length > 0 ? parts.join(", ") : "nothing";
}

function indexFinding(problem: IndexProblem): DoctorFinding {
  const what = {
    entry_without_record: `index ${problem.index} names job ${problem.jobId}, which has no record`,
    entry_disagrees:
      `index ${problem.index} holds job ${problem.jobId}, whose record does not imply it`,
    record_unindexed: `job ${problem.jobId} is missing from index ${problem.index}`,
  }[problem.kind];
  const repair = problem.kind === "record_unindexed"
    ? "re-index the record"
    : "drop the index entry";
  return {
    kind: problem.kind,
    job_id: problem.jobId,
    batch_id: null,
    queue: null,
    message: what,
    repair,
  };
}
