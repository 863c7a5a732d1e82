/**
 * The dashboard in a real headless Chromium (Debian's `chromium`, driven by playwright-core)
 * against a real `tq start` process: no console errors, a job enqueued through the API shows
 * up and turns finished without a reload, retry from the job's page works, a queue pauses
 * and resumes from the overview, a schedule triggers from its page. Takes the screenshots
 * the README shows (docs/dashboard-*.png, rewritten with TQ_UPDATE_SCREENSHOTS=1).
 */
import { assert, assertEquals } from "../assert.ts";
import { eventually } from "../integration/tq_process.ts";
import { openDashboard, postJson as post, SHOTS } from "./chromium.ts";

Deno.test({
  name:
    "the dashboard goes live in Chromium: a new job finishes without reload; retry, queue pause and schedule trigger work",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { base, page, problems, close } = await openDashboard({ TQ_EMAIL_LATENCY_MS: "300" });
    try {
      await page.goto(`${base}/ui/jobs`);
      await page.waitForSelector("#live-status:text('live')");
      // Reloads would reset this marker: it proves the table changed in place.
      await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 42));
      const { job_id } = await post(`${base}/jobs`, {
        task: "send_notification",
        input: { email: "ada@example.com", message: "<b>hello</b>" },
      });
      const row = page.locator(`tr:has(a[href="/ui/jobs/${job_id}"])`);
      await row.locator(".badge.state-finished").waitFor({ timeout: 20_000 });
      assertEquals(
        await page.evaluate(() => (globalThis as unknown as { marker: number }).marker),
        42,
      );

      const failing = await post(`${base}/jobs`, {
        task: "send_notification",
        input: { email: "fail@example.com", message: "x" },
        max_attempts: 1,
        timeout: 50, // the simulated email API takes 300 ms: this attempt times out
      });
      await eventually(
        async () => {
          const job = await (await fetch(`${base}/jobs/${failing.job_id}`)).json();
          return job.status === "failed";
        },
        20_000,
        "the failing job to fail",
      );
      await page.goto(`${base}/ui/jobs/${failing.job_id}`);
      assertEquals(await page.locator("#job-state").textContent(), "failed");
      await page.screenshot({ path: `${SHOTS}dashboard-job.png`, fullPage: true });
      await Promise.all([
        page.waitForURL(/done=retried/),
        page.click("form[action$='/retry'] button"),
      ]);
      const state = await page.locator("#job-state").textContent();
      assert(state === "queued" || state === "started" || state === "failed", state ?? "");
      await page.locator("text=Attempt 1").first().waitFor();

      await page.goto(base);
      await page.waitForSelector("#workers-online:text('1')");
      const queue = page.locator("tr:has(a[href='/ui/jobs?queue=notifications'])");
      await Promise.all([
        page.waitForURL(/done=queue_paused/),
        queue.locator("form[action$='/pause'] button").click(),
      ]);
      await queue.locator(".badge.state-paused").waitFor();
      const paused = await post(`${base}/jobs`, {
        task: "send_notification",
        input: { email: "a@b.co", message: "m" },
      });
      // Live: the paused queue holds the new job (no worker may claim it).
      await queue.locator("td.state-queued a:text-is('1')").waitFor();
      await page.screenshot({ path: `${SHOTS}dashboard-overview.png` });
      await Promise.all([
        page.waitForURL(/done=queue_resumed/),
        queue.locator("form[action$='/resume'] button").click(),
      ]);
      assertEquals(await queue.locator(".badge.state-paused").count(), 0);
      await eventually(
        async () =>
          (await (await fetch(`${base}/jobs/${paused.job_id}`)).json()).status === "finished",
        20_000,
        "the job enqueued while its queue was paused to run once resumed",
      );

      await page.click("nav a[href='/ui/schedules']");
      const schedule = page.locator("tr:has(th:text('midnight_reports'))");
      await Promise.all([
        page.waitForURL(/done=schedule_triggered/),
        schedule.locator("form[action$='/trigger'] button").click(),
      ]);
      await schedule.locator("a[href^='/ui/jobs/']").waitFor();
      await page.screenshot({ path: `${SHOTS}dashboard-schedules.png` });
      assertEquals(problems, []);
    } finally {
      await close();
    }
  },
});
