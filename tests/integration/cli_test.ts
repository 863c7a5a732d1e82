/**
 * The `tq` command line, run as a real process.
 */
import { assert, assertEquals } from "../assert.ts";
import { runTq, tempDb, TqProcess } from "./tq_process.ts";

Deno.test("tq enqueue --wait prints the finished job and exits 0", async () => {
  const { db, cleanup } = await tempDb();
  const worker = TqProcess.start(["worker", "--db", db]);
  try {
    const { code, stdout } = await runTq(["enqueue", "noop", "{}", "--wait", "--db", db]);
    assertEquals(code, 0);
    assertEquals(JSON.parse(stdout).status, "finished");
  } finally {
    await worker.stop();
    await cleanup();
  }
});

Deno.test("tq enqueue refuses invalid input with one line and exit 1, writing nothing", async () => {
  const { db, cleanup } = await tempDb();
  try {
    const bad = await runTq(["enqueue", "send_notification", '{"email":"nope"}', "--db", db]);
    assertEquals(bad.code, 1);
    assert(bad.stderr.startsWith("tq: invalid input: input.email"), bad.stderr);
    assertEquals(bad.stderr.trim().split("\n").length, 1);
    const queues = await runTq(["queues", "--json", "--db", db]);
    assertEquals(JSON.parse(queues.stdout), { queues: [] });
  } finally {
    await cleanup();
  }
});

Deno.test("tq enqueue reads its input from standard input", async () => {
  const { db, cleanup } = await tempDb();
  try {
    const input = JSON.stringify({ user_id: 7, period: "weekly" });
    const { code, stdout } = await runTq(["enqueue", "generate_report", "--db", db], {}, input);
    assertEquals(code, 0);
    const job = JSON.parse(stdout);
    assertEquals([job.task, job.queue, job.input.period], ["generate_report", "reports", "weekly"]);
  } finally {
    await cleanup();
  }
});

Deno.test("tq jobs list, show, cancel and retry work on the same file", async () => {
  const { db, cleanup } = await tempDb();
  try {
    const enqueued = await runTq(["enqueue", "noop", "--delay", "1h", "--db", db]);
    const id = JSON.parse(enqueued.stdout).id;
    const list = await runTq(["jobs", "list", "--status", "scheduled", "--db", db]);
    assert(list.stdout.includes(id), list.stdout);
    const canceled = await runTq(["jobs", "cancel", id, "--db", db]);
    assertEquals(JSON.parse(canceled.stdout).status, "canceled");
    const retried = await runTq(["jobs", "retry", id, "--db", db]);
    assertEquals(JSON.parse(retried.stdout).status, "queued");
    const shown = await runTq(["jobs", "show", id, "--db", db]);
    assertEquals(JSON.parse(shown.stdout).id, id);
    const queues = await runTq(["queues", "--db", db]);
    assert(/default\s+0\s+1\s+0/.test(queues.stdout), queues.stdout); // deferred, queued, …
  } finally {
    await cleanup();
  }
});

Deno.test("tq enqueue --expires-in sets the job's expiry", async () => {
  const { db, cleanup } = await tempDb();
  try {
    const before = Date.now();
    const { stdout } = await runTq(["enqueue", "noop", "--expires-in", "10m", "--db", db]);
    const expiresAt = Date.parse(JSON.parse(stdout).expires_at);
    assert(expiresAt >= before + 600_000 && expiresAt <= Date.now() + 600_000, stdout);
  } finally {
    await cleanup();
  }
});

Deno.test("usage mistakes print one line and exit 2", async () => {
  for (
    const args of [["frobnicate"], ["worker", "--concurrency", "0"], ["serve", "--port", "x"], [
      "enqueue",
    ]]
  ) {
    const { code, stderr } = await runTq(args);
    assertEquals(code, 2, `${args.join(" ")}: ${stderr}`);
    assert(stderr.startsWith("tq: "), stderr);
  }
});

Deno.test("every command answers --help with exit 0", async () => {
  for (const command of ["start", "serve", "worker", "enqueue", "jobs", "queues"]) {
    const { code, stdout } = await runTq([command, "--help"]);
    assertEquals(code, 0);
    assert(stdout.includes(`tq ${command}`), stdout);
  }
});

Deno.test("read-only commands refuse a --db that does not exist, naming it and creating nothing", async () => {
  const { db, dir, cleanup } = await tempDb();
  try {
    const missing = `${dir}/typo/tqq.db`;
    for (
      const command of [["jobs", "list"], ["queues"], ["stats"], ["workers"], ["schedules", "list"]]
    ) {
      const { code, stderr } = await runTq([...command, "--db", missing]);
      assertEquals(code, 2, `${command.join(" ")}: ${stderr}`);
      assert(stderr.startsWith(`tq: --db ${missing}: `), stderr);
    }
    assertEquals(await Deno.stat(`${dir}/typo`).then(() => true, () => false), false);
    const enqueued = await runTq(["enqueue", "noop", "--db", db]);
    assertEquals(enqueued.code, 0, enqueued.stderr);
    assertEquals((await runTq(["queues", "--db", db])).code, 0);
  } finally {
    await cleanup();
  }
});

Deno.test("--tasks loads the module's schedules with its registry", async () => {
  const { db, cleanup } = await tempDb();
  try {
    const tasks = ["--tasks", "tests/fixtures/scheduled_tasks.ts", "--db", db];
    assertEquals((await runTq(["enqueue", "ping", ...tasks])).code, 0);
    const { code, stdout, stderr } = await runTq(["schedules", "list", "--json", ...tasks]);
    assertEquals(code, 0, stderr);
    const { schedules } = JSON.parse(stdout);
    assertEquals(
      schedules.map((s: { name: string; timezone: string }) => [s.name, s.timezone]),
      [["hourly_ping", "UTC"], ["ny_morning", "America/New_York"]],
    );
    const nextRun = new Date(schedules[1].next_run_at);
    const localHour = nextRun.toLocaleString("en-US", {
      timeZone: "America/New_York",
      hour: "numeric",
      minute: "numeric",
      hourCycle: "h23",
    });
    assertEquals(localHour, "09:00", "next run is 09:00 New York time, given in UTC");
  } finally {
    await cleanup();
  }
});
