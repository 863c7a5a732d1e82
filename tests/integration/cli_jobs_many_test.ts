/**
 * `tq jobs` on many jobs at once and its search, run as a real process on one KV file.
 */
import { assert, assertEquals } from "../assert.ts";
import { runTq, tempDb } from "./tq_process.ts";

async function enqueueLater(db: string, input: unknown): Promise<string> {
  const args = ["enqueue", "generate_report", JSON.stringify(input), "--delay", "1h", "--db", db];
  const { code, stdout, stderr } = await runTq(args);
  assertEquals(code, 0, stderr);
  return JSON.parse(stdout).id;
}

Deno.test("tq jobs run-now and cancel take several ids, print a line each, and exit 1 unless all were done", async () => {
  const { db, cleanup } = await tempDb();
  try {
    const a = await enqueueLater(db, { user_id: 1, period: "daily" });
    const b = await enqueueLater(db, { user_id: 2, period: "daily" });
    const missing = "01JD0000000000000000000000";
    const ran = await runTq(["jobs", "run-now", a, b, "--db", db]);
    assertEquals(ran.code, 0, ran.stderr);
    for (const id of [a, b]) {
      assert(new RegExp(`${id}\\s+done\\s+queued`).test(ran.stdout), ran.stdout);
    }

    const canceled = await runTq(["jobs", "cancel", a, missing, "--db", db]);
    assertEquals(canceled.code, 1);
    assert(new RegExp(`${a}\\s+done\\s+canceled`).test(canceled.stdout), canceled.stdout);
    assert(new RegExp(`${missing}\\s+not_found`).test(canceled.stdout), canceled.stdout);
    const again = await runTq(["jobs", "run-now", a, "--db", db]);
    assertEquals(again.code, 1);
    assert(again.stderr.includes("it is canceled"), again.stderr);
  } finally {
    await cleanup();
  }
});

Deno.test("tq jobs list --input and --id-prefix search, and refuse a malformed filter", async () => {
  const { db, cleanup } = await tempDb();
  try {
    const a = await enqueueLater(db, { user_id: 42, period: "daily" });
    const b = await enqueueLater(db, { user_id: 7, period: "daily" });
    const byInput = await runTq(["jobs", "list", "--input", "user_id=42", "--json", "--db", db]);
    const found = JSON.parse(byInput.stdout);
    assertEquals(found.jobs.map((job: { id: string }) => job.id), [a]);
    assertEquals(found.scan, { scanned: 2, capped: false });
    const byPrefix = await runTq(["jobs", "list", "--id-prefix", b.toLowerCase(), "--db", db]);
    assert(byPrefix.stdout.includes(b) && !byPrefix.stdout.includes(a), byPrefix.stdout);
    assert(byPrefix.stdout.includes("searched 1 jobs"), byPrefix.stdout);
    const bad = await runTq(["jobs", "list", "--input", "user_id", "--db", db]);
    assertEquals(bad.code, 2);
    assert(bad.stderr.includes("--input takes FIELD=VALUE"), bad.stderr);
  } finally {
    await cleanup();
  }
});
