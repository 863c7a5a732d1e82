/**
 * With real processes: `tq enqueue --wait --url` enqueues through a `tq serve` that wants a
 * token and follows the job's event stream while a `tq worker` runs it; the job's
 * completion callback reaches a real receiver that refuses the first two POSTs.
 */
import { assert, assertEquals } from "../assert.ts";
import { startReceiver } from "../callbacks/receiver.ts";
import { eventually, runTq, tempDb, TqProcess } from "../integration/tq_process.ts";

const TOKEN = "events-cli-test-token-0123456789abcdef";

Deno.test("tq enqueue --wait --url follows the job to its end over SSE; its callback arrives", async () => {
  const { db, cleanup } = await tempDb();
  await using receiver = startReceiver({ failFirst: 2 });
  // The receiver is on 127.0.0.1, which callbacks may reach only when allowed (env or flag).
  const server = TqProcess.start(["serve", "--port", "0", "--db", db], {
    TQ_API_TOKEN: TOKEN,
    TQ_CALLBACK_ALLOW: "127.0.0.1",
  });
  const worker = TqProcess.start(["worker", "--db", db, "--callback-allow", "127.0.0.1"]);
  try {
    const base = await server.url();
    await worker.waitForLine((line) => line.event === "worker:started");
    const input = JSON.stringify({ sleep_ms: 300 });
    const waited = await runTq(
      ["enqueue", "noop", input, "--wait", "--url", base, "--callback-url", receiver.url],
      { TQ_API_TOKEN: TOKEN },
    );
    assertEquals(waited.code, 0, waited.stderr);
    const ended = JSON.parse(waited.stdout);
    assertEquals([ended.status, ended.attempts], ["finished", 1]);

    // TQ_URL and --token do the same; nothing opens the KV file (no --db given).
    const viaEnv = await runTq(["enqueue", "noop", "{}", "--wait", "--token", TOKEN], {
      TQ_URL: base,
    });
    assertEquals([viaEnv.code, JSON.parse(viaEnv.stdout).status], [0, "finished"]);

    const refused = await runTq(["enqueue", "noop", "{}", "--wait", "--url", base]);
    assertEquals(refused.code, 1);
    assert(refused.stderr.includes("401"), refused.stderr);

    await eventually(
      () => Promise.resolve(receiver.requests.at(-1)?.status === 200),
      30_000,
      "callback",
    );
    assertEquals(receiver.requests.map((r) => r.status), [500, 500, 200]);
    assertEquals(receiver.requests.map((r) => r.body.id), Array(3).fill(ended.id));
    assertEquals(receiver.requests[2].body.status, "finished");
    assert(worker.lines.some((line) => line.event === "callback:failed"));
    // The worker logs the delivery once it has recorded it, a moment after the receiver answered.
    await worker.waitForLine((line) => line.event === "callback:delivered");
  } finally {
    await Promise.all([server.stop(), worker.stop()]);
    await cleanup();
  }
});
