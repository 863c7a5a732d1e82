/**
 * tq across hosts: Redis on one network namespace, `tq serve` on another, two worker
 * hosts. One worker host's link is cut while it runs jobs; those jobs finish on the other
 * host once their leases run out, and no job is lost. Skipped, saying why, where network
 * namespaces cannot be made (not root, no `ip`).
 */
import { assert, assertEquals } from "../assert.ts";
import { type Host, Lan, netnsUnavailable } from "./netns.ts";
import type { LogLine } from "./tq_process.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
const TQ = [Deno.execPath(), ...(config.tasks.tq as string).split(/\s+/).slice(1)];
const JOBS = 40;
const unavailable = await netnsUnavailable();
if (unavailable) console.log(`multihost_test skipped: ${unavailable}`);

/** A process on a host, its stderr JSON lines collected. */
function run(host: Host, command: string[], env: Record<string, string> = {}) {
  const child = host.spawn(command, { NO_COLOR: "1", TQ_LOG_LEVEL: "info", ...env }, ROOT);
  const lines: LogLine[] = [];
  const stdout = new Response(child.stdout).text();
  const done = (async () => {
    let rest = "";
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const part of parts) {
        try {
          lines.push(JSON.parse(part));
        } catch {
          lines.push({ event: "text", text: part });
        }
      }
    }
  })();
  const kill = async () => {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await Promise.all([child.status, done, stdout]);
  };
  return { child, lines, stdout, kill };
}

async function until(what: string, deadline: number, check: () => boolean): Promise<void> {
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function untilAsync(what: string, deadline: number, check: () => Promise<boolean>) {
  while (!await check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const ids = (lines: LogLine[], event: string) =>
  new Set(lines.filter((l) => l.event === event).map((l) => l.job_id as string));

/** Posts the jobs from inside the serve host, then waits for them all to end; prints JSON. */
const CLIENT = `
const base = Deno.args[0], count = Number(Deno.args[1]);
const ids = [];
for (let i = 0; i < count; i++) {
  const r = await fetch(base + "/tasks/send_notification", { method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "ada@example.com", message: "job " + i }) });
  const body = await r.json();
  if (r.status !== 202) throw new Error("POST answered " + r.status + " " + JSON.stringify(body));
  ids.push(body.job_id);
}
console.error(JSON.stringify({ event: "client:posted" }));
const deadline = Date.now() + 40000;
let counts;
while (Date.now() < deadline) {
  const r = await fetch(base + "/queues");
  const { queues } = await r.json();
  if (!queues) throw new Error("GET /queues answered " + r.status);
  counts = queues.find((q) => q.name === "notifications");
  if (counts && counts.finished + counts.failed === count) break;
  await new Promise((r) => setTimeout(r, 250));
}
const jobs = await Promise.all(ids.map(async (id) => (await fetch(base + "/jobs/" + id)).json()));
console.log(JSON.stringify({ ids, counts, jobs }));
`;

Deno.test({
  name: "a worker host cut off mid-run loses no job: the other host finishes them",
  ignore: unavailable !== null,
  async fn() {
    const deadline = Date.now() + 55_000;
    const lan = await Lan.create(["redis", "serve", "w1", "w2"]);
    const dir = await Deno.makeTempDir({ prefix: "tq-multihost-" });
    const started: ReturnType<typeof run>[] = [];
    try {
      const [redisHost, serveHost] = [lan.host("redis"), lan.host("serve")];
      started.push(run(redisHost, [
        "redis-server",
        ...["--bind", redisHost.address, "--port", "6379", "--requirepass", "tq-secret"],
        ...["--save", "", "--appendonly", "no", "--dir", dir],
      ]));
      const redis = ["--redis", `redis://:tq-secret@${redisHost.address}:6379`];
      await untilAsync("Redis to answer", deadline, async () => {
        const ping = serveHost.spawn([
          "redis-cli",
          "-h",
          redisHost.address,
          "-a",
          "tq-secret",
          "ping",
        ]);
        const { stdout } = await ping.output();
        return new TextDecoder().decode(stdout).includes("PONG");
      });
      // The HTTP API answers on the serve host's loopback; its client runs on that host.
      const serve = run(serveHost, [...TQ, "serve", "--port", "8000", ...redis]);
      started.push(serve);
      const workerArgs = ["worker", "notifications", "--lease", "3s", "--concurrency", "4"];
      const env = { TQ_EMAIL_LATENCY_MS: "1000" };
      const [w1, w2] = ["w1", "w2"].map((name) =>
        run(lan.host(name), [...TQ, ...workerArgs, ...redis], env)
      );
      started.push(w1, w2);
      await until(
        "serve and workers to start",
        deadline,
        () =>
          serve.lines.some((l) => l.event === "server:listening") &&
          [w1, w2].every((w) => w.lines.some((l) => l.event === "worker:started")),
      );

      const client = run(serveHost, [
        Deno.execPath(),
        "eval",
        CLIENT,
        "--",
        "http://127.0.0.1:8000",
        String(JOBS),
      ]);
      started.push(client);
      await until("w1 to run jobs", deadline, () => ids(w1.lines, "job:started").size >= 2);
      await lan.host("w1").unplug();
      const cutOff = [...ids(w1.lines, "job:started")].filter((id) =>
        !ids(w1.lines, "job:finished").has(id)
      );

      const { ids: posted, counts, jobs } = JSON.parse(await client.stdout);
      assertEquals(posted.length, JOBS);
      assertEquals([counts.finished, counts.failed, counts.queued, counts.started], [
        JOBS,
        0,
        0,
        0,
      ]);
      assert(cutOff.length > 0, "the cut interrupted running jobs");
      const onW2 = ids(w2.lines, "job:finished");
      for (const id of cutOff) {
        assert(onW2.has(id), `job ${id} cut off on w1 finished on w2`);
        const job = jobs.find((j: { id: string }) => j.id === id);
        assertEquals([job.status, job.attempts], ["finished", 2]);
      }
      assert(Date.now() < deadline, "bounded in time");
    } catch (error) {
      for (const p of started) {
        console.error(p.lines.slice(-5).map((l) => JSON.stringify(l)).join("\n"));
      }
      throw error;
    } finally {
      await Promise.all(started.map((p) => p.kill()));
      await lan.destroy();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
