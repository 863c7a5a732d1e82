/**
 * The checks of a request's `depends_on`, by the field names the HTTP API uses: job ids,
 * each once, at most {@linkcode MAX_PARENTS}. Whether each parent exists is the store's
 * to say, in the commit that links them (`links.ts`).
 *
 * @example
 * ```ts
 * import { dependsOnIssues } from "./depends_on.ts";
 * console.assert(dependsOnIssues(["nope"])[0].path === "depends_on[0]");
 * ```
 * @module
 */
import type { FieldIssue } from "../errors.ts";
import { isJobId } from "../ids.ts";

/** The most parents one job may wait for. */
export const MAX_PARENTS = 20;

/**
 * What is wrong with a list of parent ids (none when absent).
 *
 * @example
 * ```ts
 * import { dependsOnIssues } from "./depends_on.ts";
 * console.assert(dependsOnIssues(undefined).length === 0);
 * ```
 */
export function dependsOnIssues(ids: readonly string[] | undefined): FieldIssue[] {
  if (ids === undefined) return [];
  if (ids.length > MAX_PARENTS) {
    return [{ path: "depends_on", message: `at most ${MAX_PARENTS} parents` }];
  }
  const issues: FieldIssue[] = [];
  ids.forEach((id, i) => {
    const path = `depends_on[${i}]`;
    if (typeof id !== "string" || !isJobId(id)) issues.push({ path, message: "not a job id" });
    else if (ids.indexOf(id) !== i) issues.push({ path, message: `${id} is listed twice` });
  });
  return issues;
}
