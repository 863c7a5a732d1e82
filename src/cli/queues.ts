/**
 * `tq queues`: every queue with its exact counts per state and its latency (the wait of its
 * oldest ready job).
 *
 * @example
 * ```ts ignore
 * await queuesCommand(["--json"], { registry, schedules });
 * ```
 * @module
 */
import { JOB_STATES } from "../job.ts";
import { queueLatencies } from "../metrics/queue_latency.ts";
import { COMMON_HELP, parse } from "./args.ts";
import { setup } from "./setup.ts";
import type { CliOptions } from "./cli_options.ts";
import { table } from "./table.ts";

/** Help of `tq queues`. */
export const QUEUES_HELP = `Usage: tq queues [--json]

Prints every queue with its count of jobs in each state, and its latency: how long its
oldest ready job has waited (latency_ms with --json).
${COMMON_HELP}`;

/** Runs `tq queues`. */
export async function queuesCommand(args: string[], tasks: CliOptions): Promise<number> {
  const { values } = parse("queues", args, { json: { type: "boolean" } });
  if (values.help) {
    console.log(QUEUES_HELP);
    return 0;
  }
  const { connection } = await setup(values, tasks, { readOnly: true });
  try {
    const counts = await connection.store.queueCounts();
    const latency = await queueLatencies(connection.store, counts, Date.now());
    const queues = counts.map((q) => ({ ...q, latency_ms: latency.get(q.name) ?? 0 }));
    if (values.json) {
      console.log(JSON.stringify({ queues }, null, 2));
    } else {
      console.log(table(
        ["QUEUE", ...JOB_STATES.map((s) => s.toUpperCase()), "LATENCY"],
        queues.map((q) => [
          q.name,
          ...JOB_STATES.map((s) => String(q[s])),
          `${(q.latency_ms / 1000).toFixed(1)}s`,
        ]),
      ));
    }
    return 0;
  } finally {
    await connection.close();
  }
}
