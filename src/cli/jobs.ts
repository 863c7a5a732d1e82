/**
 * `tq jobs list|show|retry|cancel|delete`: inspect and change jobs from the shell.
 *
 * @example
 * ```ts ignore
 * await jobsCommand(["list", "--status", "failed"], { registry, schedules });
 * ```
 * @module
 */
import { jobJson } from "../http/job_json.ts";
import { changeJob, deleteJob, readJob } from "../job_changes.ts";
import { JOB_STATES, type JobState, lastError } from "../job.ts";
import { cancelJob, retryJob } from "../transitions.ts";
import { COMMON_HELP, parse, parseDuration, parseInteger, UsageError } from "./args.ts";
import { setup } from "./setup.ts";
import type { CliOptions } from "./cli_options.ts";
import { table } from "./table.ts";
import { isoTime } from "../input_rules.ts";

/** Help of `tq jobs`. */
export const JOBS_HELP =
  `Usage: tq jobs list [--status S] [--queue Q] [--task T] [--limit N] [--cursor C] [--json]
       tq jobs show ID
       tq jobs retry ID
       tq jobs cancel ID
       tq jobs delete ID [--cascade cancel]

list     newest first; statuses: ${JOB_STATES.join(", ")}
show     the whole job as JSON
retry    queue a failed or canceled job again
cancel   a waiting job never runs; a running one has its signal aborted
delete   remove a job that is not running; refused while jobs wait for it (its
         dependants, the rest of its group) unless --cascade cancel cancels them too

Options:
  --failure-ttl DUR  with cancel: how long the canceled job is kept (default 7d)
  --cascade cancel   with delete: cancel the jobs waiting for it, in the same commit
${COMMON_HELP}`;

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
  });
  const [action, id] = positionals;
  if (values.help || !action) {
    console.log(JOBS_HELP);
    return values.help ? 0 : 2;
  }
  if (action !== "list" && !id) throw new UsageError(`jobs ${action}: give the job id`);
  if (values.status && !JOB_STATES.includes(values.status as JobState)) {
    throw new UsageError(`jobs: --status must be one of ${JOB_STATES.join(", ")}`);
  }
  if (values.cascade !== undefined && values.cascade !== "cancel") {
    throw new UsageError(`jobs delete: --cascade takes only "cancel"`);
  }
  const limit = parseInteger("--limit", values.limit ?? "20", 1, 500);
  const ttlMs = parseDuration("--failure-ttl", values["failure-ttl"] ?? "7d");
  const { connection } = await setup(values, tasks, { readOnly: true });
  const { store } = connection;
  const print = (value: unknown) => console.log(JSON.stringify(value, null, 2));
  try {
    switch (action) {
      case "list": {
        const page = await store.jobList({
          state: values.status as JobState | undefined,
          queue: values.queue,
          task: values.task,
          limit,
          cursor: values.cursor,
        });
        if (values.json) {
          print({ jobs: page.jobs.map(jobJson), next_cursor: page.nextCursor ?? null });
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
          if (page.nextCursor) console.log(`next page: --cursor ${page.nextCursor}`);
        }
        return 0;
      }
      case "show":
        print(jobJson(await readJob(store, id)));
        return 0;
      case "retry":
        print(jobJson(await changeJob(store, id, (job) => retryJob(job, { now: Date.now() }))));
        return 0;
      case "cancel":
        print(jobJson(
          await changeJob(
            store,
            id,
            (job) => cancelJob(job, { now: Date.now(), reason: "canceled from the CLI", ttlMs }),
          ),
        ));
        return 0;
      case "delete": {
        const cascade = values.cascade as "cancel" | undefined;
        const canceled = await deleteJob(store, id, { cascade, ttlMs });
        console.log(`deleted ${id}`);
        for (const child of canceled) console.log(`canceled ${child} (parent ${id} deleted)`);
        return 0;
      }
      default:
        throw new UsageError(
          `jobs: unknown action "${action}" (list, show, retry, cancel, delete)`,
        );
    }
  } finally {
    connection.close();
  }
}
