/**
 * Slow and greedy clients (issue #14, case 5), against real `tq serve` processes on KV and
 * on Redis: a body that does not arrive in time gets 408 and a closed connection; event
 * streams beyond `--max-streams` and requests beyond `--max-requests` get 503 with
 * `Retry-After`; streams of one job share one store read per tick.
 */
import { FakeClock } from "../../src/clock.ts";
import { JOB_WATCH_MAX_MS, JOB_WATCH_MIN_MS, JobWatcher } from "../../src/http/job_watcher.ts";
import type { Job } from "../../src/job.ts";
import { Producer } from "../../src/producer.ts";
import { openKvStore } from "../../src/open_kv_store.ts";
import { openRedisStore } from "../../src/store/redis/redis_store.ts";
import { withLinks } from "../../src/flows/linked_store.ts";
import type { Store } from "../../src/store/store.ts";
import { registry } from "../../tasks/mod.ts";
import { assert, assertEquals } from "../assert.ts";
import { TqProcess } from "../integration/tq_process.ts";
import { RedisServer } from "../store/redis_server.ts";
import { connect, parseResponse, readUntil } from "./raw_http.ts";
import { type StoreKind, STORES } from "./secure_api.ts";

/** Runs `fn` against `tq serve ...args` on a fresh store of `kind`. */
async function withServe(
  kind: StoreKind,
  args: string[],
  fn: (base: string, server: TqProcess) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tq-limits-" });
  const redis = kind === "redis" ? await RedisServer.start() : undefined;
  const storeArgs = redis ? ["--redis", redis.url] : ["--db", `${dir}/tq.db`];
  const server = TqProcess.start(["serve", "--port", "0", ...storeArgs, ...args]);
  try {
    await fn(await server.url(), server);
  } finally {
    await server.stop();
    await redis?.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

async function enqueue(base: string): Promise<string> {
  const res = await fetch(`${base}/jobs`, {
    method: "POST",
    body: JSON.stringify({ task: "noop", input: {}, delay: 3_600_000 }),
    headers: { "content-type": "application/json" },
  });
  assertEquals(res.status, 202, await res.clone().text());
  return (await res.json()).job_id;
}

Deno.test("a request body that does not arrive within --body-timeout gets 408", async () => {
  await withServe("kv", ["--body-timeout", "500ms"], async (base, server) => {
    const conn = await connect(base);
    const started = Date.now();
    await conn.write(new TextEncoder().encode(
      "POST /jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
        'Content-Length: 100\r\n\r\n{"task":',
    ));
    // The answer comes at the deadline; Deno.serve keeps the socket open until the client
    // leaves (it waits for the rest of the body), which SECURITY.md leaves to a proxy.
    const res = parseResponse(await readUntil(conn, "request_timeout", 10_000));
    const waited = Date.now() - started;
    conn.close();
    assertEquals(res.status, 408, res.body);
    assertEquals(
      JSON.parse(res.body.split("\r\n").find((l) => l.startsWith("{")) ?? res.body)
        .error.code,
      "request_timeout",
    );
    assert(waited >= 450 && waited < 8_000, `answered after ${waited} ms`);
    assertEquals((await fetch(`${base}/healthz`)).status, 200, "the server goes on");
    assertEquals(server.lines.filter((l) => l.event === "http:error"), [], "not a 500");
  });
});

Deno.test("requests beyond --max-requests get 503 with Retry-After", async () => {
  await withServe("kv", ["--max-requests", "2", "--body-timeout", "5s"], async (base) => {
    // Two requests held in their handlers, waiting for bodies that never come.
    const held = await Promise.all([1, 2].map(async () => {
      const conn = await connect(base);
      await conn.write(new TextEncoder().encode(
        "POST /jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
          "Content-Length: 100\r\n\r\n{",
      ));
      return conn;
    }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const res = await fetch(`${base}/queues`);
    const { error } = await res.json();
    assertEquals([res.status, error.code], [503, "server_busy"]);
    assertEquals(res.headers.get("retry-after"), "1");
    assert(error.message.includes("--max-requests"), error.message);
    held.forEach((conn) => conn.close());
    await new Promise((resolve) => setTimeout(resolve, 300));
    assertEquals((await fetch(`${base}/queues`)).status, 200, "free again once they left");
  });
});

for (const kind of STORES) {
  Deno.test(`${kind}: event streams beyond --max-streams get 503 with Retry-After`, async () => {
    await withServe(kind, ["--max-streams", "3"], async (base) => {
      const id = await enqueue(base);
      const controllers: AbortController[] = [];
      const open = async (path: string) => {
        const controller = new AbortController();
        const res = await fetch(`${base}${path}`, { signal: controller.signal });
        controllers.push(controller);
        return res;
      };
      const streams = [
        await open(`/jobs/${id}/events`),
        await open(`/jobs/${id}/events`),
        await open("/ui/events"),
      ];
      for (const res of streams) assertEquals(res.status, 200);
      for (const path of [`/jobs/${id}/events`, "/ui/events"]) {
        const refused = await fetch(`${base}${path}`);
        const { error } = await refused.json();
        assertEquals([refused.status, error.code], [503, "server_busy"], path);
        assertEquals(refused.headers.get("retry-after"), "5");
        assert(error.message.includes("--max-streams"), error.message);
      }
      controllers[0].abort();
      await streams[0].body?.cancel().catch(() => {});
      let again: Response | undefined;
      for (let i = 0; i < 50; i++) {
        again = await open(`/jobs/${id}/events`);
        if (again.status === 200) break;
        await again.body?.cancel();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assertEquals(again?.status, 200, "a slot comes back when a stream ends");
      controllers.forEach((c) => c.abort());
      await Promise.all(streams.map((res) => res.body?.cancel().catch(() => {})));
    });
  });

  Deno.test(`${kind}: 200 streams of one job cost one store read per tick, less when it is quiet`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "tq-watch-" });
    const redis = kind === "redis" ? await RedisServer.start() : undefined;
    const clock = new FakeClock();
    const store: Store = redis
      ? withLinks(await openRedisStore(redis.url, { clock }))
      : await openKvStore(`${dir}/tq.db`, { clock });
    try {
      const job = await new Producer({ store, registry, clock }).enqueue({
        task: "noop",
        input: {},
      });
      const reads: string[][] = [];
      const counting = Object.create(store, {
        jobGetMany: {
          value: (ids: string[]) => {
            reads.push(ids);
            return store.jobGetMany(ids);
          },
        },
      }) as Store;
      const watcher = new JobWatcher(counting, clock);
      const seen: (Job | null)[] = [];
      const stops = Array.from(
        { length: 200 },
        () => watcher.watch(job.id, job.version, (changed) => seen.push(changed)),
      );
      const tick = async (ms: number) => {
        for (let t = 0; t < ms; t += JOB_WATCH_MIN_MS) {
          clock.advance(JOB_WATCH_MIN_MS);
          for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 1));
        }
      };
      await tick(10_000);
      assert(reads.every((ids) => ids.length === 1), "one read of the job for all 200 streams");
      const quietReads = reads.length;
      assert(
        quietReads <= 10_000 / JOB_WATCH_MAX_MS + 6,
        `an unchanged job is read less often: ${quietReads} reads in 10 s`,
      );
      assertEquals(seen, [], "no change, no event");
      const before = (await store.jobGet(job.id))!;
      await store.jobUpdateMany({
        updates: [{ before, after: { ...before, progress: 5, version: before.version + 1 } }],
      });
      await tick(JOB_WATCH_MAX_MS + JOB_WATCH_MIN_MS);
      assertEquals(seen.length, 200, "every stream hears of the change");
      stops.forEach((stop) => stop());
      assertEquals(watcher.size, 0);
      const after = reads.length;
      await tick(2_000);
      assertEquals(reads.length, after, "nothing is read once nothing is watched");
    } finally {
      store.close();
      await redis?.stop();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
