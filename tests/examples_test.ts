/**
 * The producer examples (`examples/enqueue.py`, standard library only; `examples/enqueue.mjs`,
 * Node's fetch) against a real `tq start`: each enqueues a job, polls its status_url until it is
 * done, prints the job and exits 0; bad input is refused with exit 1 and the server's error.
 * A machine without python3 or node skips that example's test, saying so.
 */
import { assert, assertEquals } from "./assert.ts";
import { tempDb, TqProcess } from "./integration/tq_process.ts";

const ROOT = new URL("../", import.meta.url).pathname;

function installed(program: string): boolean {
  try {
    new Deno.Command(program, { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync();
    return true;
  } catch {
    console.log(`${program} example test skipped: no ${program} on this machine`);
    return false;
  }
}

async function withServer(fn: (url: string) => Promise<void>) {
  const { db, cleanup } = await tempDb();
  // A short report, still long enough for the examples to poll more than once.
  const tq = TqProcess.start(["start", "--db", db, "--port", "0"], { TQ_REPORT_MS: "300" });
  try {
    await fn(await tq.url());
  } finally {
    await tq.stop();
    await cleanup();
  }
}

async function run(program: string, args: string[]) {
  const output = await new Deno.Command(program, { args, cwd: ROOT, stdin: "null" }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

const EXAMPLES = [
  { program: "python3", script: "examples/enqueue.py" },
  { program: "node", script: "examples/enqueue.mjs" },
];

for (const { program, script } of EXAMPLES) {
  const ignore = !installed(program);

  Deno.test({
    name: `${script} enqueues a job and waits until it is finished`,
    ignore,
    async fn() {
      await withServer(async (url) => {
        const input = JSON.stringify({ user_id: 7, period: "weekly" });
        const { code, stdout, stderr } = await run(program, [
          script,
          "generate_report",
          input,
          "--url",
          url,
        ]);
        assertEquals(code, 0, stderr);
        const job = JSON.parse(stdout);
        assertEquals([job.task, job.status], ["generate_report", "finished"]);
        assert(stderr.includes(`enqueued ${job.id}`), stderr);
      });
    },
  });

  Deno.test({
    name: `${script} prints the server's error and exits 1 for bad input`,
    ignore,
    async fn() {
      await withServer(async (url) => {
        const { code, stderr } = await run(program, [
          script,
          "send_notification",
          '{"email":"nope"}',
          "--url",
          url,
        ]);
        assertEquals(code, 1, stderr);
        assert(
          stderr.includes("enqueue refused (422)") && stderr.includes("invalid_input"),
          stderr,
        );
      });
    },
  });
}
