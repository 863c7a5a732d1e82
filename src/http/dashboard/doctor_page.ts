/**
 * The dashboard's Doctor page (`/ui/doctor`): what `tq doctor` finds
 * (`src/maintenance/doctor/`), read once per page load (it reads every record, so it is
 * not part of the live region that refreshes). Repairs stay with `tq doctor --repair`.
 *
 * @example
 * ```ts ignore
 * const report = await runDoctor({ store, clock, logger, repair: false });
 * const controls = doctorReport(report);
 * ```
 * @module
 */
import { html } from "hono/html";
import { url } from "../base_path.ts";
import type { DoctorReport } from "../../maintenance/doctor/doctor.ts";
import type { Html } from "./layout.ts";

/**
 * The report as a table, or a line saying the store is clean.
 *
 * @example
 * ```ts
 * import { doctorReport } from "./doctor_page.ts";
 * const page = doctorReport({ clean: true, scanned_jobs: 3, findings: [] });
 * console.assert(String(page).includes("clean"));
 * ```
 */
export function doctorReport(report: DoctorReport): Html {
  if (report.clean) {
    return html`<p id="doctor-clean">clean: ${report.scanned_jobs} jobs read, nothing stuck.</p>`;
  }
  const rows = report.findings.map((f) =>
    html`
      <tr>
        <td><code>${f.kind}</code></td>
        <td>${f.job_id
          ? html`<a href="${url(`/ui/jobs/${f.job_id}`)}">${f.job_id}</a>`
          : f.batch_id
          ? html`<a href="${url(`/ui/batches/${f.batch_id}`)}">${f.batch_id}</a>`
          : ""}</td>
        <td>${f.message}</td>
        <td>${f.repair}</td>
      </tr>
    `
  );
  return html`
    <p>${report.findings.length} finding(s) in ${report.scanned_jobs} jobs: these can
    never make progress on their own. Run <code>tq doctor --repair</code> to fix them (each action is
    logged; safe while workers run).</p>
    <table id="doctor-findings">
      <thead>
        <tr>
          <th>kind</th>
          <th>job / batch</th>
          <th>found</th>
          <th>repair</th>
        </tr>
      </thead>
      <tbody>${rows}</tbody>
    </table>
  `;
}
