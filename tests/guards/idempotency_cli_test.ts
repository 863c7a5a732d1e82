/**
 * `tq enqueue --idempotency-key`, run as a real process.
 */
import { assert, assertEquals } from "../assert.ts";
import { runTq, tempDb } from "../integration/tq_process.ts";

Deno.test("tq enqueue --idempotency-key prints the first job again on a repeat", async () => {
  const { db, cleanup } = await tempDb();
  try {
    const args = ["enqueue", "noop", "{}", "--idempotency-key", "import-2026-01-01", "--db", db];
    const first = await runTq(args);
    const again = await runTq(args);
    assertEquals([first.code, again.code], [0, 0]);
    assertEquals(JSON.parse(again.stdout).id, JSON.parse(first.stdout).id);
    const queues = JSON.parse((await runTq(["queues", "--json", "--db", db])).stdout);
    assertEquals(queues.queues[0].queued, 1);
    const bad = await runTq(["enqueue", "noop", "--idempotency-key", "", "--db", db]);
    assertEquals(bad.code, 1);
    assert(bad.stderr.startsWith("tq: invalid input: idempotency_key"), bad.stderr);
  } finally {
    await cleanup();
  }
});
