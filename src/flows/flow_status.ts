/**
 * A flow's overall status, from its nodes' jobs: what `GET /flows/{id}` and the dashboard
 * both show.
 *
 * @example
 * ```ts
 * import { flowStatus } from "./flow_status.ts";
 * console.assert(flowStatus([null]) === "failed"); // a pruned node never finished here
 * ```
 * @module
 */
import { isTerminal, type Job } from "../job.ts";

/** `running` until every node ended; then `finished` if all finished, else `failed`. */
export type FlowStatus = "running" | "finished" | "failed";

/** The status of a flow whose nodes' jobs are `jobs` (null: pruned). */
export function flowStatus(jobs: (Job | null)[]): FlowStatus {
  if (!jobs.every((job) => !job || isTerminal(job.state))) return "running";
  return jobs.every((job) => job?.state === "finished") ? "finished" : "failed";
}
