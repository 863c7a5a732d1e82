/**
 * The job table's selection in a real headless Chromium against a real `tq start`: select
 * all on the page, a live refresh that keeps the selection, Retry for several failed jobs
 * with each one's outcome, Delete behind its confirmation, and the search box. Takes the
 * README's screenshot of a selection (docs/dashboard-selection.png, with
 * TQ_UPDATE_SCREENSHOTS=1).
 */
import { assert, assertEquals } from "../assert.ts";
import { eventually } from "../integration/tq_process.ts";
import { openDashboard, postJson, SHOTS } from "./chromium.ts";

/** A job whose one attempt times out: the simulated email API takes 300 ms. */
const failing = (email: string) => ({
  task: "send_notification",
  input: { email, message: "x" },
  max_attempts: 1,
  timeout: 50,
});

async function job(base: string, id: string): Promise<{ status: string; errors: unknown[] }> {
  return await (await fetch(`${base}/jobs/${id}`)).json();
}

Deno.test({
  name:
    "in Chromium, several failed jobs are selected (kept across a live refresh) and retried, one is deleted after confirming, and search finds by input field",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { base, page, problems, close } = await openDashboard({ TQ_EMAIL_LATENCY_MS: "300" });
    try {
      const ids: string[] = [];
      for (let i = 1; i <= 3; i++) {
        ids.push(String((await postJson(`${base}/jobs`, failing(`user${i}@example.com`))).job_id));
      }
      const allFailed = async (wanted: string[]) =>
        (await Promise.all(wanted.map((id) => job(base, id)))).every((j) => j.status === "failed");
      await eventually(() => allFailed(ids), 20_000, "the three jobs to fail");

      await page.goto(`${base}/ui/jobs?status=failed`);
      await page.waitForSelector("#live-status:text('live')");
      assert(await page.locator("#bulk button[value='retry']").isDisabled(), "nothing selected");
      await page.check("#select-all");
      for (const id of ids) assert(await page.isChecked(`input[name='ids'][value='${id}']`), id);

      // A fourth failure refreshes the table live: the three stay selected, it does not.
      const late = String((await postJson(`${base}/jobs`, failing("late@example.com"))).job_id);
      const lateBox = page.locator(`input[name='ids'][value='${late}']`);
      await lateBox.waitFor({ timeout: 20_000 });
      for (const id of ids) assert(await page.isChecked(`input[name='ids'][value='${id}']`), id);
      assertEquals([await lateBox.isChecked(), await page.isChecked("#select-all")], [
        false,
        false,
      ]);
      await page.screenshot({ path: `${SHOTS}dashboard-selection.png` });

      await Promise.all([
        page.waitForURL(/\/ui\/jobs\/actions$/),
        page.click("#bulk button[value='retry']"),
      ]);
      assertEquals(await page.locator("#bulk-summary").textContent(), "Retry: 3 done.");
      assertEquals(await page.locator("tr[data-outcome='done']").count(), 3);
      await eventually(
        async () =>
          (await Promise.all(ids.map((id) => job(base, id)))).every((j) => j.errors.length === 2),
        20_000,
        "each retried job to run (and time out) again",
      );

      await page.goto(`${base}/ui/jobs?status=failed`);
      await page.check(`input[name='ids'][value='${late}']`);
      await Promise.all([
        page.waitForURL(/\/ui\/jobs\/actions$/),
        page.click("#bulk button[value='delete']"),
      ]);
      assertEquals((await job(base, late)).status, "failed", "not deleted before confirming");
      await Promise.all([
        page.waitForSelector("#bulk-summary"),
        page.click("#confirm-delete button"),
      ]);
      assertEquals(await page.locator("#bulk-summary").textContent(), "Delete: 1 done.");
      assertEquals((await fetch(`${base}/jobs/${late}`)).status, 404);

      await page.goto(`${base}/ui/jobs`);
      await page.fill("input[name='q']", "email=user2@example.com");
      await Promise.all([page.waitForURL(/q=email/), page.press("input[name='q']", "Enter")]);
      assertEquals(await page.locator("input[name='ids']").count(), 1);
      assert(await page.locator(`input[name='ids'][value='${ids[1]}']`).count() === 1);
      assertEquals(problems, []);
    } finally {
      await close();
    }
  },
});
