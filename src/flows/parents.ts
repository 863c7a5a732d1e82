/**
 * `ctx.parents`: the results of the jobs a job depends on, read once when an attempt
 * starts. A job without dependencies reads nothing.
 *
 * @example
 * ```ts ignore
 * const parents = await parentResults(store, job); // { [parentId]: result }
 * ```
 * @module
 */
import type { Job } from "../job.ts";
import type { Store } from "../store/store.ts";

const NONE: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * Each parent's result by its id (null for a parent gone or without a result).
 *
 * @example
 * ```ts ignore
 * const { [encodeJobId]: encoded } = await parentResults(store, job);
 * ```
 */
export async function parentResults(
  store: Pick<Store, "jobGetMany">,
  job: Job,
): Promise<Readonly<Record<string, unknown>>> {
  if (!job.dependsOn?.length) return NONE;
  const parents = await store.jobGetMany(job.dependsOn);
  return Object.fromEntries(job.dependsOn.map((id, i) => [id, parents[i]?.result ?? null]));
}
