/**
 * What idle Server-Sent Events streams cost a real `tq serve` (issue #14): starts one on a
 * fresh KV file, enqueues jobs that stay queued (1 h delay), opens `SSE_STREAMS` streams
 * of `GET /jobs/{id}/events` (one job each, or all on one job with `SSE_SAME_JOB=1`; the
 * dashboard's `/ui/events?job={id}` with `SSE_UI=1`), and
 * reads the server's CPU time from /proc/<pid>/stat over `SSE_SECONDS` (after a 3 s
 * settle). `SSE_ROOT` runs another checkout of tq (to compare with an older commit).
 * Linux only. Prints one Markdown row for docs/benchmarks.md.
 *
 * @example
 * ```sh
 * deno run -A bench/sse_streams.ts            # 200 streams on 200 jobs, 10 s
 * SSE_SAME_JOB=1 deno run -A bench/sse_streams.ts
 * ```
 * @module
 */
const env = (name: string, fallback: string) => Deno.env.get(name) ?? fallback;
const STREAMS = Number(env("SSE_STREAMS", "200"));
const SECONDS = Number(env("SSE_SECONDS", "10"));
const SAME_JOB = env("SSE_SAME_JOB", "") === "1";
const UI = env("SSE_UI", "") === "1";
const ROOT = env("SSE_ROOT", new URL("../", import.meta.url).pathname);
const CLOCK_TICKS_PER_S = 100;

/** User + system CPU ticks and resident KB of `pid`. */
async function usage(pid: number): Promise<{ ticks: number; rssKb: number }> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { ticks: Number(fields[11]) + Number(fields[12]), rssKb };
}

async function loadAverage(): Promise<string> {
  return (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
}

const dir = await Deno.makeTempDir({ prefix: "tq-sse-bench-" });
const config = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
const flags = (config.tasks.tq as string).split(/\s+/).slice(2, -1);
const child = new Deno.Command(Deno.execPath(), {
  args: ["run", ...flags, `${ROOT}/main.ts`, "serve", "--port", "0", "--db", `${dir}/tq.db`],
  cwd: ROOT,
  env: { NO_COLOR: "1", TQ_LOG_LEVEL: "info" },
  stdin: "null",
  stdout: "null",
  stderr: "piped",
}).spawn();
const controllers: AbortController[] = [];
try {
  const base = await new Promise<string>((resolve, reject) => {
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    (async () => {
      while (true) {
        const { value, done } = await reader.read();
        if (done) return reject(new Error(`tq serve ended:\n${text}`));
        text += value;
        const match = /"url":"(http:[^"]+)"/.exec(text);
        if (match) {
          resolve(match[1]);
          // Keep draining stderr so the server never blocks on a full pipe.
          while (!(await reader.read()).done);
          return;
        }
      }
    })();
  });
  const jobs: string[] = [];
  for (let i = 0; i < (SAME_JOB ? 1 : STREAMS); i++) {
    const res = await fetch(`${base}/jobs`, {
      method: "POST",
      body: JSON.stringify({ task: "noop", input: {}, delay: 3_600_000 }),
      headers: { "content-type": "application/json" },
    });
    jobs.push((await res.json()).job_id);
  }
  const idle = await usage(child.pid);
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const idleAfter = await usage(child.pid);
  const idlePercent = (idleAfter.ticks - idle.ticks) / CLOCK_TICKS_PER_S / 3 * 100;
  let opened = 0;
  for (let i = 0; i < STREAMS; i++) {
    const controller = new AbortController();
    controllers.push(controller);
    const job = jobs[i % jobs.length];
    const res = await fetch(UI ? `${base}/ui/events?job=${job}` : `${base}/jobs/${job}/events`, {
      signal: controller.signal,
    });
    if (res.status === 200) opened++;
    // Read the first event, then leave the stream idle (its bytes wait in the socket).
    const reader = res.body!.getReader();
    await reader.read();
    reader.releaseLock();
  }
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const before = await usage(child.pid);
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1_000));
  const after = await usage(child.pid);
  const percent = (after.ticks - before.ticks) / CLOCK_TICKS_PER_S / SECONDS * 100;
  const date = new Date().toISOString().slice(0, 16).replace("T", " ");
  console.log(
    `| ${date} UTC | ${opened} ${UI ? "/ui/events" : "job event"} streams on ${
      SAME_JOB ? "1 job" : `${jobs.length} jobs`
    } | ` +
      `${percent.toFixed(1)} % of a core over ${SECONDS} s (no streams: ${
        idlePercent.toFixed(1)
      } %) | ` +
      `${Math.round(idle.rssKb / 1024)} -> ${
        Math.round(after.rssKb / 1024)
      } MB | ${await loadAverage()} |`,
  );
} finally {
  controllers.forEach((c) => c.abort());
  try {
    child.kill("SIGTERM");
  } catch {
    // Already gone.
  }
  await child.status;
  await Deno.remove(dir, { recursive: true });
}
