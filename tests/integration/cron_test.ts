/**
 * `tq cron` as real processes: two of them on one KV file, one real Deno.cron tick, one
 * job; a bad expression stops start-up with one line; `tq schedules` shows the result.
 */
import { assert, assertEquals } from "../assert.ts";
import { runTq, tempDb, TqProcess } from "./tq_process.ts";

const EVERY_MINUTE = { TQ_MIDNIGHT_REPORTS_CRON: "* * * * *" };

Deno.test("two tq cron processes: one real tick enqueues exactly one job", async () => {
  const { db, cleanup } = await tempDb();
  const crons = [0, 1].map(() => TqProcess.start(["cron", "--db", db], EVERY_MINUTE));
  try {
    await Promise.all(crons.map((c) => c.waitForLine((l) => l.event === "cron:started")));
    // Both fire at the next minute boundary (at most 60 s away).
    const ticks = await Promise.all(
      crons.map((c) => c.waitForLine((l) => l.event === "cron:tick", 70_000)),
    );
    assertEquals(ticks[0].tick_at, ticks[1].tick_at, "both fired the same tick");
    assertEquals(ticks.map((t) => t.outcome).sort(), ["duplicate", "enqueued"]);
    const listed = await runTq(["jobs", "list", "--task", "fan_out_reports", "--json", "--db", db]);
    const { jobs } = JSON.parse(listed.stdout);
    assertEquals(jobs.length, 1);
    assertEquals(jobs[0].id, ticks.find((t) => t.outcome === "enqueued")!.job_id);
    const shown = await runTq(["schedules", "--json", "--db", db], EVERY_MINUTE);
    const [schedule] = JSON.parse(shown.stdout).schedules;
    assertEquals([schedule.name, schedule.last_tick_at], ["midnight_reports", ticks[0].tick_at]);
    assertEquals(schedule.last_job_id, jobs[0].id);
  } finally {
    await Promise.all(crons.map((c) => c.stop()));
    await cleanup();
  }
});

Deno.test("two tq cron processes on a half-hour zone: one job per local tick", async () => {
  const { db, cleanup } = await tempDb();
  // Asia/Kolkata is UTC+05:30: Deno.cron fires every minute and tq matches in local time.
  const env = { ...EVERY_MINUTE, TQ_MIDNIGHT_REPORTS_TZ: "Asia/Kolkata" };
  const crons = [0, 1].map(() => TqProcess.start(["cron", "--db", db], env));
  try {
    await Promise.all(crons.map((c) => c.waitForLine((l) => l.event === "cron:started")));
    const ticks = await Promise.all(
      crons.map((c) => c.waitForLine((l) => l.event === "cron:tick", 70_000)),
    );
    assertEquals(ticks[0].tick_at, ticks[1].tick_at, "both fired the same tick");
    assertEquals(ticks.map((t) => t.outcome).sort(), ["duplicate", "enqueued"]);
    const shown = await runTq(["schedules", "--json", "--db", db], env);
    const [schedule] = JSON.parse(shown.stdout).schedules;
    assertEquals([schedule.timezone, schedule.last_tick_at], ["Asia/Kolkata", ticks[0].tick_at]);
    const listed = await runTq(["jobs", "list", "--task", "fan_out_reports", "--json", "--db", db]);
    assertEquals(JSON.parse(listed.stdout).jobs.length, 1);
  } finally {
    await Promise.all(crons.map((c) => c.stop()));
    await cleanup();
  }
});

for (
  const [what, env, message] of [
    [
      "an unknown time zone",
      { TQ_MIDNIGHT_REPORTS_TZ: "Mars/Olympus_Mons" },
      'unknown time zone "Mars/Olympus_Mons"',
    ],
    [
      "an invalid expression",
      { TQ_MIDNIGHT_REPORTS_CRON: "0 25 * * *" },
      "hour: 25 is out of range 0-23",
    ],
  ] as const
) {
  Deno.test(`${what} stops tq cron with one line naming the schedule`, async () => {
    const { db, cleanup } = await tempDb();
    try {
      const { code, stderr } = await runTq(["cron", "--db", db], env);
      assertEquals(code, 1);
      assertEquals(stderr, `tq: schedule "midnight_reports": ${message}\n`);
    } finally {
      await cleanup();
    }
  });
}

Deno.test("tq schedules pause, then trigger, show in the listing", async () => {
  const { db, cleanup } = await tempDb();
  try {
    assertEquals((await runTq(["schedules", "pause", "midnight_reports", "--db", db])).code, 0);
    const triggered = await runTq(["schedules", "trigger", "midnight_reports", "--db", db]);
    assertEquals(triggered.code, 0, triggered.stderr);
    const job = JSON.parse(triggered.stdout);
    const listing = await runTq(["schedules", "--db", db]);
    const row = listing.stdout.split("\n").find((l) => l.startsWith("midnight_reports"))!;
    assert(row.includes(job.id) && row.endsWith("yes"), listing.stdout);
    const unknown = await runTq(["schedules", "trigger", "nope", "--db", db]);
    assertEquals([unknown.code, unknown.stderr], [1, 'tq: no schedule named "nope"\n']);
  } finally {
    await cleanup();
  }
});
