/**
 * Checks the execution record of the chaos test (lines written by the `record` fixture
 * task) against what at-least-once execution under leases promises:
 * - a job ran more than once only if a worker died while running it: every execution but
 *   the last belongs to a process that was killed after that execution had started;
 * - never twice at the same time: each execution starts only after the previous one
 *   ended, or after the process running it was dead.
 *
 * @example
 * ```ts
 * import { analyseExecutions } from "./executions.ts";
 * const report = analyseExecutions([
 *   { kind: "start", job: "a", pid: 1, attempt: 1, at: 10 },
 *   { kind: "start", job: "a", pid: 2, attempt: 2, at: 50 },
 *   { kind: "end", job: "a", pid: 2, attempt: 2, at: 60 },
 * ], new Map([[1, 20]]));
 * console.assert(report.reruns === 1 && report.overlaps.length === 0);
 * ```
 * @module
 */
import type { RecordLine } from "../fixtures/tasks.ts";

/** One run of a handler: when it started and when it ended, if it did. */
export interface Execution {
  job: string;
  pid: number;
  attempt: number;
  start: number;
  end?: number;
}

/** What the record shows. */
export interface ExecutionReport {
  /** Executions per job id. */
  byJob: Map<string, Execution[]>;
  /** Executions in all. */
  executions: number;
  /** Executions beyond the first of their job. */
  reruns: number;
  /** Jobs that ran more than once. */
  jobsRunTwice: number;
  /** Reruns not explained by the death of the process running the earlier execution. */
  unexplained: Execution[];
  /** Pairs of executions of one job that overlapped in time. */
  overlaps: [Execution, Execution][];
  /** Smallest gap between an execution's end (or its process's death) and the next start. */
  minHandoverMs: number;
}

/**
 * Groups the lines into executions and checks them against the kill times (`deadAt`:
 * pid → the time its process was known dead).
 */
export function analyseExecutions(
  lines: RecordLine[],
  deadAt: Map<number, number>,
): ExecutionReport {
  const runs = new Map<string, Execution>();
  for (const line of lines) {
    const key = `${line.job} ${line.pid} ${line.attempt}`;
    if (line.kind === "start") {
      runs.set(key, { job: line.job, pid: line.pid, attempt: line.attempt, start: line.at });
    } else {
      const run = runs.get(key);
      if (run) run.end = line.at;
    }
  }
  const byJob = new Map<string, Execution[]>();
  for (const run of runs.values()) byJob.set(run.job, [...byJob.get(run.job) ?? [], run]);
  const report: ExecutionReport = {
    byJob,
    executions: runs.size,
    reruns: 0,
    jobsRunTwice: 0,
    unexplained: [],
    overlaps: [],
    minHandoverMs: Infinity,
  };
  for (const executions of byJob.values()) {
    executions.sort((a, b) => a.start - b.start);
    if (executions.length > 1) report.jobsRunTwice++;
    for (let i = 1; i < executions.length; i++) {
      const [previous, next] = [executions[i - 1], executions[i]];
      report.reruns++;
      const died = deadAt.get(previous.pid);
      if (died === undefined || died < previous.start) report.unexplained.push(previous);
      const over = Math.min(previous.end ?? Infinity, died ?? Infinity);
      if (next.start < over) report.overlaps.push([previous, next]);
      else report.minHandoverMs = Math.min(report.minHandoverMs, next.start - over);
    }
  }
  return report;
}
