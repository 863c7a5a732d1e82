/**
 * `tq workers`: the workers online (heartbeat not expired), with host, pid, concurrency,
 * running jobs, queues and last heartbeat; `--json` for scripts.
 *
 * @example
 * ```ts ignore
 * await workersCommand(["--json"], { registry, schedules });
 * ```
 * @module
 */
import { COMMON_HELP, parse } from "./args.ts";
import { setup } from "./setup.ts";
import type { CliOptions } from "./cli_options.ts";
import { table } from "./table.ts";
import { workerList } from "../presence/worker_registry.ts";

/** Help of `tq workers`. */
export const WORKERS_HELP = `Usage: tq workers [--json]

Prints every worker whose heartbeat has not expired.
${COMMON_HELP}`;

/** Runs `tq workers`. */
export async function workersCommand(args: string[], tasks: CliOptions): Promise<number> {
  const { values } = parse("workers", args, { json: { type: "boolean" } });
  if (values.help) {
    console.log(WORKERS_HELP);
    return 0;
  }
  const { connection } = await setup(values, tasks, { readOnly: true });
  try {
    const now = Date.now();
    const workers = await workerList(connection.store, { now });
    if (values.json) {
      console.log(JSON.stringify({ workers }, null, 2));
    } else {
      console.log(table(
        ["ID", "HOST", "PID", "RUNNING", "QUEUES", "LAST HEARTBEAT"],
        workers.map((w) => [
          w.id,
          w.host,
          String(w.pid),
          `${w.running}/${w.concurrency}`,
          w.queues.join(","),
          `${((now - w.lastHeartbeatAt) / 1000).toFixed(1)}s ago`,
        ]),
      ));
    }
    return 0;
  } finally {
    await connection.close();
  }
}
