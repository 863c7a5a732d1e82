/**
 * `tq stats`: the dashboard's overview in the terminal: jobs per queue and state, jobs
 * finished and failed in the last hour, workers online; `--json` for scripts.
 *
 * @example
 * ```ts ignore
 * await statsCommand([], { registry, schedules });
 * ```
 * @module
 */
import { JOB_STATES } from "../job.ts";
import { perMinute } from "../http/dashboard/chart.ts";
import { COMMON_HELP, parse } from "./args.ts";
import { setup } from "./setup.ts";
import type { CliOptions } from "./cli_options.ts";
import { table } from "./table.ts";
import { workerList } from "../presence/worker_registry.ts";
import { readStats } from "../metrics/stats_read.ts";

/** Help of `tq stats`. */
export const STATS_HELP = `Usage: tq stats [--json]

Prints jobs per queue and state, jobs finished and failed in the last hour, and the
workers online.
${COMMON_HELP}`;

const HOUR_MS = 3_600_000;

/** Runs `tq stats`. */
export async function statsCommand(args: string[], tasks: CliOptions): Promise<number> {
  const { values } = parse("stats", args, { json: { type: "boolean" } });
  if (values.help) {
    console.log(STATS_HELP);
    return 0;
  }
  const { connection } = await setup(values, tasks, { readOnly: true });
  try {
    const { store } = connection;
    const now = Date.now();
    const [queues, stats, workers] = await Promise.all([
      store.queueCounts(),
      readStats(store, { since: now - HOUR_MS, now }),
      workerList(store, { now }),
    ]);
    const minutes = perMinute(stats, now);
    const lastHour = {
      finished: minutes.reduce((n, m) => n + m.finished, 0),
      failed: minutes.reduce((n, m) => n + m.failed, 0),
    };
    const online = {
      count: workers.length,
      slots: workers.reduce((n, w) => n + w.concurrency, 0),
      running: workers.reduce((n, w) => n + w.running, 0),
    };
    if (values.json) {
      console.log(JSON.stringify({ queues, last_hour: lastHour, workers: online }, null, 2));
      return 0;
    }
    console.log(table(
      ["QUEUE", ...JOB_STATES.map((s) => s.toUpperCase())],
      queues.map((q) => [q.name, ...JOB_STATES.map((s) => String(q[s]))]),
    ));
    console.log(`\nlast hour: ${lastHour.finished} finished, ${lastHour.failed} failed`);
    console.log(
      `workers: ${online.count} online, running ${online.running} of ${online.slots} slots`,
    );
    return 0;
  } finally {
    await connection.close();
  }
}
