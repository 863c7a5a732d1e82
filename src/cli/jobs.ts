/**
 * `tq jobs list|show|retry|cancel|run-now|delete`: inspect, search and change jobs (one or
 * many at once) from the shell.
 *
 * @example
 * ```ts ignore
 * await jobsCommand(["list", "--status", "failed"], { registry, schedules });
 * ```
 * @module
 */
import { jobJson } from "../job_json.ts";
import { readJob } from "../job_changes.ts";
import { JOB_STATES, type JobState, lastError } from "../job.ts";
import {
  applyJobAction,
  applyJobActionMany,
  type JobAction,
  type JobActionOptions,
  type JobActionOutcome,
  MAX_ACTION_IDS,
} from "../job_actions.ts";
import {
  type JobSearch,
  needsScan,
  parseInputFilter,
  SEARCH_SCAN_CAP,
  searchJobs,
} from "../job_search.ts";
import type { Store } from "../store/store.ts";
import { WORKER_DEFAULTS } from "../defaults.ts";
import {
  COMMON_HELP,
  parse,
  parseDuration,
  parseInteger,
  showDuration,
  UsageError,
} from "./args.ts";
import { setup } from "./setup.ts";
import type { CliOptions } from "./cli_options.ts";
import { table } from "./table.ts";
import { isoTime } from "../input_rules.ts";

/** How long a job this ends is kept by default, as `tq worker` keeps it. */
const DEFAULT_FAILURE_TTL = showDuration(WORKER_DEFAULTS.failureTtlMs);

/** Help of `tq jobs`. */
export const JOBS_HELP =
  `Usage: tq jobs list [--status S] [--queue Q] [--task T] [--limit N] [--cursor C] [--json]
                    [--id-prefix P] [--input FIELD=VALUE]... [--scan-limit N]
       tq jobs show ID
       tq jobs retry ID...
       tq jobs cancel ID...
       tq jobs run-now ID...
       tq jobs delete ID... [--cascade cancel]

list     newest first; statuses: ${JOB_STATES.join(", ")}. --id-prefix and --input
         (a top-level input field; a string compares as itself, anything else as its
         JSON, so user_id=42 finds 42 and "42") search by scanning at most --scan-limit
         jobs (default and most ${SEARCH_SCAN_CAP}); --cursor continues the search
show     the whole job as JSON
retry    queue a failed or canceled job again
cancel   a waiting job never runs; a running one has its signal aborted
run-now  queue a scheduled job (delayed, or waiting to retry) now
delete   remove a job that is not running; refused while jobs wait for it (its
         dependants, the rest of its group) unless --cascade cancel cancels them too

With one ID, retry, cancel and run-now print the job as JSON. With several (at most
${MAX_ACTION_IDS}), each gets a line saying what happened; the exit code is 1 unless all
were done.

Options:
  --failure-ttl DUR  with cancel: how long the canceled job is kept (default ${DEFAULT_FAILURE_TTL})
  --cascade cancel   with delete: cancel the jobs waiting for it, in the same commit
${COMMON_HELP}`;

/** The actions of `tq jobs` that change jobs, by their CLI name. */
const CHANGES: Record<string, JobAction> = {
  retry: "retry",
  cancel: "cancel",
  "run-now": "run_now",
  delete: "delete",
};

/** What one id's line says, after its outcome. */
function outcomeDetail(outcome: JobActionOutcome): string {
  if (outcome.outcome !== "done") return outcome.error.message;
  if (outcome.job) return outcome.job.state;
  return outcome.canceled.map((child) => `canceled ${child}`).join(", ") || "deleted";
}

/**
 * Applies `action` to `ids`: one id prints the job (or what a delete did) and fails as the
 * API would; several print a line each and exit 1 unless all were done.
 */
async function changeJobs(
  store: Store,
  action: JobAction,
  ids: string[],
  options: JobActionOptions,
): Promise<number> {
  if (ids.length === 1) {
    const [id] = ids;
    const { job, canceled } = await applyJobAction(store, id, action, options);
    if (job) console.log(JSON.stringify(jobJson(job), null, 2));
    else console.log(`deleted ${id}`);
    for (const child of canceled) console.log(`canceled ${child} (parent ${id} deleted)`);
    return 0;
  }
  const outcomes = await applyJobActionMany(store, ids, action, options);
  console.log(table(
    ["ID", "OUTCOME", "DETAIL"],
    outcomes.map((o) => [o.id, o.outcome, outcomeDetail(o)]),
  ));
  return outcomes.every((o) => o.outcome === "done") ? 0 : 1;
}

/** The `--input FIELD=VALUE` options as fields and their texts. */
function inputFilters(texts: string[] = []): Record<string, string> {
  const filters: Record<string, string> = {};
  for (const text of texts) {
    const parsed = parseInputFilter(text);
    if (!parsed) throw new UsageError(`jobs list: --input takes FIELD=VALUE, not "${text}"`);
    filters[parsed[0]] = parsed[1];
  }
  return filters;
}

/** Runs `tq jobs`. */
export async function jobsCommand(args: string[], tasks: CliOptions): Promise<number> {
  const { values, positionals } = parse("jobs", args, {
    status: { type: "string" },
    queue: { type: "string" },
    task: { type: "string" },
    limit: { type: "string" },
    cursor: { type: "string" },
    json: { type: "boolean" },
    "failure-ttl": { type: "string" },
    cascade: { type: "string" },
    "id-prefix": { type: "string" },
    input: { type: "string", multiple: true },
    "scan-limit": { type: "string" },
  });
  const [action, ...ids] = positionals;
  if (values.help || !action) {
    console.log(JOBS_HELP);
    return values.help ? 0 : 2;
  }
  if (action !== "list" && ids.length === 0) {
    throw new UsageError(`jobs ${action}: give the job id`);
  }
  if (action === "show" && ids.length > 1) throw new UsageError("jobs show: give one job id");
  if (values.status && !JOB_STATES.includes(values.status as JobState)) {
    throw new UsageError(`jobs: --status must be one of ${JOB_STATES.join(", ")}`);
  }
  if (values.cascade !== undefined && values.cascade !== "cancel") {
    throw new UsageError(`jobs delete: --cascade takes only "cancel"`);
  }
  if (values.cascade !== undefined && action !== "delete") {
    throw new UsageError(`jobs ${action}: --cascade goes with delete`);
  }
  const limit = parseInteger("--limit", values.limit ?? "20", 1, 500);
  const ttlMs = parseDuration("--failure-ttl", values["failure-ttl"] ?? DEFAULT_FAILURE_TTL);
  const search: JobSearch = {
    state: values.status as JobState | undefined,
    queue: values.queue,
    task: values.task,
    limit,
    cursor: values.cursor,
    idPrefix: values["id-prefix"]?.toUpperCase(),
    input: inputFilters(values.input),
    scanLimit: values["scan-limit"] === undefined
      ? undefined
      : parseInteger("--scan-limit", values["scan-limit"], 1, SEARCH_SCAN_CAP),
  };
  if (search.scanLimit !== undefined && !needsScan(search)) {
    throw new UsageError("jobs list: --scan-limit goes with --id-prefix or --input");
  }
  const { connection } = await setup(values, tasks, { readOnly: true });
  const { store } = connection;
  const print = (value: unknown) => console.log(JSON.stringify(value, null, 2));
  try {
    if (Object.hasOwn(CHANGES, action)) {
      const options = { now: Date.now(), ttlMs, cancelReason: "canceled from the CLI" };
      const cascade = values.cascade as "cancel" | undefined;
      return await changeJobs(store, CHANGES[action], ids, { ...options, cascade });
    }
    switch (action) {
      case "list": {
        const found = needsScan(search) ? await searchJobs(store, search) : undefined;
        const page = found ?? await store.jobList(search);
        if (values.json) {
          const scan = found && { scanned: found.scanned, capped: found.capped };
          print({ jobs: page.jobs.map(jobJson), next_cursor: page.nextCursor ?? null, scan });
        } else {
          console.log(table(
            ["ID", "TASK", "QUEUE", "STATUS", "ATTEMPTS", "CREATED", "ERROR"],
            page.jobs.map((job) => [
              job.id,
              job.task,
              job.queue,
              job.state,
              `${job.attempts}/${job.maxAttempts}`,
              isoTime(job.createdAt) ?? "?",
              lastError(job)?.message.slice(0, 60) ?? "",
            ]),
          ));
          if (found) {
            const stop = found.capped ? " (stopped at the scan limit: more may match)" : "";
            console.log(`searched ${found.scanned} jobs${stop}`);
          }
          if (page.nextCursor) console.log(`next page: --cursor ${page.nextCursor}`);
        }
        return 0;
      }
      case "show":
        print(jobJson(await readJob(store, ids[0])));
        return 0;
      default:
        throw new UsageError(
          `jobs: unknown action "${action}" (list, show, retry, cancel, run-now, delete)`,
        );
    }
  } finally {
    await connection.close();
  }
}
