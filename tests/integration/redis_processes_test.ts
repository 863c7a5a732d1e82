/**
 * End to end on Redis with real processes: `tq serve --redis` and two `tq worker --redis`
 * against one redis-server, as on several hosts.
 */
import { assert, assertEquals } from "../assert.ts";
import { RedisServer } from "../store/redis_server.ts";
import { eventually, type LogLine, TqProcess } from "./tq_process.ts";

const startedIds = (lines: LogLine[]) =>
  lines.filter((l) => l.event === "job:started").map((l) => l.job_id as string);

Deno.test("500 jobs posted over HTTP each run exactly once across two workers on Redis", async () => {
  const redis = await RedisServer.start();
  const common = ["--redis", redis.url, "--redis-prefix", "it"];
  const server = TqProcess.start(["serve", "--port", "0", ...common]);
  const workers = [0, 1].map(() => TqProcess.start(["worker", "default", ...common]));
  try {
    const base = await server.url();
    await Promise.all(workers.map((w) => w.waitForLine((l) => l.event === "worker:started")));
    const ids: string[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const answers = await Promise.all(Array.from({ length: 50 }, async () => {
        const response = await fetch(`${base}/jobs`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ task: "noop", input: {} }),
        });
        return { status: response.status, body: await response.json() };
      }));
      for (const { status, body } of answers) {
        assertEquals(status, 202);
        ids.push(body.job_id);
      }
    }
    const counts = await eventually(
      async () => {
        const { queues } = await (await fetch(`${base}/queues`)).json();
        const counts = queues.find((q: { name: string }) => q.name === "default");
        return counts?.finished === 500 && counts;
      },
      60_000,
      "500 finished jobs",
    );
    assertEquals([counts.queued, counts.started, counts.failed], [0, 0, 0]);
    const runs = workers.flatMap((w) => startedIds(w.lines));
    assertEquals(runs.length, 500, "every job started exactly once");
    assertEquals(new Set(runs), new Set(ids));
    assert(workers.every((w) => startedIds(w.lines).length > 0), "both workers took jobs");
    const health = await fetch(`${base}/healthz`);
    assertEquals(health.status, 200);
    await health.body?.cancel();
  } finally {
    await Promise.all([server, ...workers].map((p) => p.stop()));
    await redis.stop();
  }
});
