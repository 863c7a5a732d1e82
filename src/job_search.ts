/**
 * Finding jobs by id prefix and by top-level input fields (`GET /jobs?id_prefix=01K4&
 * input.user_id=42`, the dashboard's search box, `tq jobs list --id-prefix/--input`),
 * written once above the store: a bounded scan over `store.jobList` pages, so it works on
 * every store and no store keeps an index of inputs.
 *
 * The scan reads the listing (newest first, already filtered by state, queue and task) and
 * examines at most `scanLimit` jobs ({@linkcode SEARCH_SCAN_CAP} by default and at most)
 * per call. It stops when `limit` jobs matched, the listing ended, or the cap was hit; then
 * `capped` says so, and `nextCursor` continues the same search where it stopped. An id
 * prefix search also stops once the listing passes below the prefix: ids are ULIDs and the
 * listing runs by id, descending, so no later job can match.
 *
 * Matching an input field: the job's `input` must be an object with that key, whose value
 * is the given text itself when it is a string, or whose JSON form is the text otherwise
 * (`42`, `true`, `null`, `{"a":1}`). So `user_id=42` finds both `{"user_id": 42}` and
 * `{"user_id": "42"}`. Several fields must all match. Nested paths are not followed.
 *
 * @example
 * ```ts ignore
 * const page = await searchJobs(store, { input: { user_id: "42" }, limit: 50 });
 * if (page.capped) console.log(`scanned ${page.scanned}; continue with ${page.nextCursor}`);
 * ```
 * @module
 */
import { type FieldIssue, InvalidInputError } from "./errors.ts";
import { isJobId } from "./ids.ts";
import type { Job, JobState } from "./job.ts";
import type { Store } from "./store/store.ts";

/** Most jobs one search call examines (and the default). */
export const SEARCH_SCAN_CAP = 5_000;

/** Most input fields one search compares. */
export const MAX_INPUT_FILTERS = 5;

/** Jobs asked of the store per listing call. */
const SCAN_PAGE = 200;

/** Marks a search's cursor, so a plain listing's cursor is not mistaken for one. */
const CURSOR_PREFIX = "search:";

const ID_PREFIX = /^[0-9A-HJKMNP-TV-Z]{1,26}$/;
const FIELD_NAME = /^[^.]{1,64}$/;

/** A search: the store's filters, plus id prefix and input fields checked above it. */
export interface JobSearch {
  state?: JobState;
  queue?: string;
  task?: string;
  /** Upper-case Crockford base32, 1-26 characters (see {@linkcode searchIssues}). */
  idPrefix?: string;
  /** Top-level input field → the text its value must have. */
  input?: Record<string, string>;
  /** At most this many jobs in the answer. */
  limit: number;
  /** A previous answer's `nextCursor` for the same search. */
  cursor?: string;
  /** At most this many jobs examined (1 to {@linkcode SEARCH_SCAN_CAP}, which is the default). */
  scanLimit?: number;
}

/** One page of matches. */
export interface JobSearchPage {
  jobs: Job[];
  /** Continues the search; absent once the listing is exhausted. */
  nextCursor?: string;
  /** Jobs examined by this call. */
  scanned: number;
  /** Whether the call stopped because it examined `scanLimit` jobs (more may match). */
  capped: boolean;
}

/**
 * Whether `search` needs the scan: it filters on something the store cannot.
 *
 * @example
 * ```ts
 * import { needsScan } from "./job_search.ts";
 * console.assert(needsScan({ idPrefix: "01K", limit: 10 }) && !needsScan({ limit: 10 }));
 * ```
 */
export function needsScan(search: JobSearch): boolean {
  return search.idPrefix !== undefined || Object.keys(search.input ?? {}).length > 0;
}

/**
 * What is wrong with a search's own fields, by name (`id_prefix`, `input.<field>`,
 * `scan_limit`, `cursor`), as the API names them; empty when it is fine.
 *
 * @example
 * ```ts
 * import { searchIssues } from "./job_search.ts";
 * console.assert(searchIssues({ idPrefix: "01K!", limit: 1 })[0].path === "id_prefix");
 * ```
 */
export function searchIssues(search: JobSearch): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (search.idPrefix !== undefined && !ID_PREFIX.test(search.idPrefix)) {
    issues.push({
      path: "id_prefix",
      message: "1-26 characters of a job id (0-9 and A-Z without I, L, O, U)",
    });
  }
  const fields = Object.keys(search.input ?? {});
  for (const field of fields) {
    if (!FIELD_NAME.test(field)) {
      issues.push({
        path: `input.${field}`,
        message: "a top-level input field: 1-64 characters without a dot (no nested paths)",
      });
    }
  }
  if (fields.length > MAX_INPUT_FILTERS) {
    issues.push({ path: "input", message: `at most ${MAX_INPUT_FILTERS} input fields` });
  }
  const scanLimit = search.scanLimit ?? SEARCH_SCAN_CAP;
  if (!Number.isInteger(scanLimit) || scanLimit < 1 || scanLimit > SEARCH_SCAN_CAP) {
    issues.push({ path: "scan_limit", message: `an integer from 1 to ${SEARCH_SCAN_CAP}` });
  }
  if (search.cursor !== undefined && decodeCursor(search.cursor) === null) {
    issues.push({ path: "cursor", message: "not the next_cursor of a search" });
  }
  return issues;
}

/**
 * A search box's `field=value` (or `input.field=value`) as a field and its text, or null
 * when there is no `=`.
 *
 * @example
 * ```ts
 * import { parseInputFilter } from "./job_search.ts";
 * console.assert(parseInputFilter("input.user_id=42")?.[0] === "user_id");
 * console.assert(parseInputFilter("01K4") === null);
 * ```
 */
export function parseInputFilter(text: string): [field: string, value: string] | null {
  const at = text.indexOf("=");
  if (at < 0) return null;
  const field = text.slice(0, at).trim();
  return [field.startsWith("input.") ? field.slice(6) : field, text.slice(at + 1).trim()];
}

/**
 * Whether `input` has `field` with the value `text` (see the module's rule).
 *
 * @example
 * ```ts
 * import { inputMatches } from "./job_search.ts";
 * console.assert(inputMatches({ user_id: 42 }, "user_id", "42"));
 * console.assert(inputMatches({ user_id: "42" }, "user_id", "42"));
 * console.assert(!inputMatches({ user_id: 420 }, "user_id", "42"));
 * ```
 */
export function inputMatches(input: unknown, field: string, text: string): boolean {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return false;
  if (!Object.hasOwn(input, field)) return false;
  const value = (input as Record<string, unknown>)[field];
  return typeof value === "string" ? value === text : JSON.stringify(value) === text;
}

function matches(job: Job, { idPrefix, input = {} }: JobSearch): boolean {
  if (idPrefix !== undefined && !job.id.startsWith(idPrefix)) return false;
  return Object.entries(input).every(([field, text]) => inputMatches(job.input, field, text));
}

/** Where a search stopped: the listing page it was reading, and the last job it examined. */
interface Position {
  page?: string;
  after?: string;
}

function encodeCursor({ page, after }: Position): string {
  return `${CURSOR_PREFIX}${after ?? ""}:${page ?? ""}`;
}

function decodeCursor(cursor: string): Position | null {
  if (!cursor.startsWith(CURSOR_PREFIX)) return null;
  const rest = cursor.slice(CURSOR_PREFIX.length);
  const colon = rest.indexOf(":");
  if (colon < 0) return null;
  const after = rest.slice(0, colon);
  const page = rest.slice(colon + 1);
  if (after !== "" && !isJobId(after)) return null;
  return { after: after || undefined, page: page || undefined };
}

/**
 * One page of jobs matching `search`, newest first, after examining at most its
 * `scanLimit` jobs. Bad fields are an `InvalidInputError` naming them.
 *
 * @example
 * ```ts ignore
 * const first = await searchJobs(store, { idPrefix: "01K4", limit: 20 });
 * const more = await searchJobs(store, { idPrefix: "01K4", limit: 20, cursor: first.nextCursor });
 * ```
 */
export async function searchJobs(store: Store, search: JobSearch): Promise<JobSearchPage> {
  const issues = searchIssues(search);
  if (issues.length > 0) throw new InvalidInputError(issues);
  const cap = search.scanLimit ?? SEARCH_SCAN_CAP;
  // A listing call may come back empty with a cursor (the store's own scan budget): the
  // calls are bounded too, so a search over a huge store always answers.
  const maxCalls = Math.ceil(cap / SCAN_PAGE) + 1;
  let { page, after } = search.cursor ? decodeCursor(search.cursor)! : {} as Position;
  const jobs: Job[] = [];
  let scanned = 0;
  for (let call = 0; call < maxCalls; call++) {
    const listed = await store.jobList({
      state: search.state,
      queue: search.queue,
      task: search.task,
      limit: SCAN_PAGE,
      cursor: page,
    });
    for (const [i, job] of listed.jobs.entries()) {
      if (after !== undefined && job.id >= after) continue; // examined before this page resumed
      if (search.idPrefix !== undefined && job.id < search.idPrefix) {
        return { jobs, scanned, capped: false }; // below the prefix: nothing later matches
      }
      scanned++;
      if (matches(job, search)) jobs.push(job);
      const more = i < listed.jobs.length - 1 || listed.nextCursor !== undefined;
      if (jobs.length === search.limit || scanned === cap) {
        const nextCursor = more ? encodeCursor({ page, after: job.id }) : undefined;
        return { jobs, nextCursor, scanned, capped: scanned === cap && more };
      }
    }
    if (listed.nextCursor === undefined) return { jobs, scanned, capped: false };
    page = listed.nextCursor;
    after = undefined;
  }
  return { jobs, nextCursor: encodeCursor({ page }), scanned, capped: true };
}
