/**
 * `tq doctor`: lists what can never make progress (deferred jobs whose parents are gone,
 * groups whose head is gone, leases of workers not seen since, index entries without
 * records and records missing from their indexes, batches and queues whose counts disagree
 * with their jobs); `--repair` fixes each with a logged action. Exit code 0 when clean, 1 when
 * something was found (repaired or not). The logic is `src/maintenance/doctor/`.
 *
 * @example
 * ```ts ignore
 * Deno.exit(await doctorCommand(["--repair", "--json"], { registry }));
 * ```
 * @module
 */
import { systemClock } from "../clock.ts";
import { DEFAULT_GRACE_MS, runDoctor } from "../maintenance/doctor/doctor.ts";
import { WORKER_DEFAULTS } from "../defaults.ts";
import { COMMON_HELP, parse, parseDuration, showDuration } from "./args.ts";
import type { CliOptions } from "./cli_options.ts";
import { setup } from "./setup.ts";
import { table } from "./table.ts";

/** How long a job this ends is kept by default, as `tq worker` keeps it. */
const DEFAULT_FAILURE_TTL = showDuration(WORKER_DEFAULTS.failureTtlMs);

/** Help of `tq doctor`. */
export const DOCTOR_HELP = `Usage: tq doctor [--repair] [--json] [--grace DUR] [--failure-ttl DUR]

Lists what can never make progress: deferred jobs whose parents are gone, groups whose
head is gone, leases held by workers not seen for longer than the lease, index entries
without records and records missing from their indexes, batches and queues whose counts
disagree with their jobs (checked once the indexes agree: after a repair, run it again).
Exit code 0 when clean, 1 when something was found.

Options:
  --repair           fix each finding (cancel with a reason, release, re-index), each
                     logged; safe while workers run, and idempotent
  --json             the report as JSON
  --grace DUR        a lease of a worker not seen counts as stale this long after it ran
                     out (default ${DEFAULT_GRACE_MS / 1000}s)
  --failure-ttl DUR  how long jobs a repair cancels or fails are kept (default ${DEFAULT_FAILURE_TTL})
${COMMON_HELP}`;

/** Runs `tq doctor`. */
export async function doctorCommand(args: string[], tasks: CliOptions): Promise<number> {
  const { values } = parse("doctor", args, {
    repair: { type: "boolean" },
    json: { type: "boolean" },
    grace: { type: "string" },
    "failure-ttl": { type: "string" },
  });
  if (values.help) {
    console.log(DOCTOR_HELP);
    return 0;
  }
  const graceMs = parseDuration("--grace", values.grace ?? `${DEFAULT_GRACE_MS / 1000}s`);
  const ttlMs = parseDuration("--failure-ttl", values["failure-ttl"] ?? DEFAULT_FAILURE_TTL);
  const { connection, logger } = await setup(values, tasks, { readOnly: true });
  try {
    const report = await runDoctor({
      store: connection.store,
      clock: systemClock,
      logger,
      repair: values.repair ?? false,
      graceMs,
      ttlMs,
    });
    if (values.json) console.log(JSON.stringify(report, null, 2));
    else if (report.clean) console.log(`clean: ${report.scanned_jobs} jobs read, nothing stuck`);
    else {
      console.log(table(
        values.repair
          ? ["KIND", "SUBJECT", "FOUND", "REPAIRED"]
          : ["KIND", "SUBJECT", "FOUND", "REPAIR"],
        report.findings.map((f) => [
          f.kind,
          f.job_id ?? f.batch_id ?? f.queue ?? "",
          f.message,
          values.repair ? (f.repaired ? `yes: ${f.repair}` : "no: it moved meanwhile") : f.repair,
        ]),
      ));
      console.log(
        `\n${report.findings.length} finding(s) in ${report.scanned_jobs} jobs${
          values.repair ? "" : "; run with --repair to fix them"
        }`,
      );
    }
    return report.clean ? 0 : 1;
  } finally {
    await connection.close();
  }
}
