/**
 * The files `tq init` writes: a Deno project that depends on `jsr:@tq/tq`, with one task,
 * one schedule, its own `tq` entry point and a test of both that passes at once.
 *
 * @example
 * ```ts
 * import { initFiles } from "./init_files.ts";
 * const files = initFiles();
 * console.assert(JSON.parse(files["deno.json"]).imports["@tq/tq"].startsWith("jsr:@tq/tq@^"));
 * ```
 * @module
 */
import denoJson from "../../deno.json" with { type: "json" };

const PERMISSIONS =
  "--allow-read --allow-write --allow-net --allow-env --allow-sys=hostname --allow-run";

/**
 * A young generation of 2 MB semi-spaces instead of V8's 16 MB: a worker's garbage is
 * short-lived. And an old generation that grows by 30 % past what survived the last full
 * GC rather than V8's adaptive 1.1-4×: a worker's live data is small, and its heap no
 * longer swells to several times it while jobs stream through. Together they keep a worker
 * near its live size (about 108 MB on KV after 20,000 jobs instead of 185, no slower;
 * docs/benchmarks.md). Unlike `--max-old-space-size` neither caps the heap: a job that
 * needs a lot of memory still gets it.
 */
const V8_FLAGS = "--v8-flags=--max-semi-space-size=2,--heap-growing-percent=30";

const TASKS = `/**
 * Every task and schedule of this project. \`main.ts\` (your own \`tq\`) and the tests
 * import them from here: static imports, so \`deno compile\` bundles them.
 */
import { z } from "zod";
import { defineSchedule, defineTask, Registry, type ScheduleDefinition } from "@tq/tq";

/** Writes a report for a period and says who it went to. Replace the body with yours. */
export const sendReport = defineTask({
  name: "send_report",
  description: "Builds the report of a period and sends it to one address.",
  input: z.object({
    to: z.email(),
    period: z.enum(["daily", "weekly"]).default("daily"),
  }),
  retry: { maxAttempts: 5 },
  handler: (input, ctx) => {
    ctx.log("building report", { period: input.period });
    ctx.progress(100);
    return { sentTo: input.to, period: input.period };
  },
});

/** The tasks \`tq\` knows. */
export const registry: Registry = new Registry([sendReport]);

/** Recurring jobs, run by \`tq start\` and \`tq cron\` (cron fields in UTC). */
export const schedules: ScheduleDefinition[] = [
  defineSchedule({
    name: "daily_report",
    description: "Every day at 07:00 UTC, the daily report to the team.",
    cron: "0 7 * * *",
    task: "send_report",
    input: { to: "team@example.com", period: "daily" },
  }),
];
`;

const TASKS_TEST = `import assert from "node:assert/strict";
import { createTestQueue, runTask } from "@tq/tq/testing";
import { registry, schedules, sendReport } from "./mod.ts";

Deno.test("send_report sends the report of the period it is given", async () => {
  const result = await runTask(sendReport, { to: "ada@example.com", period: "weekly" });
  assert.deepEqual(result, { sentTo: "ada@example.com", period: "weekly" });
});

Deno.test("send_report refuses an address that is not one", async () => {
  await assert.rejects(() => runTask(sendReport, { to: "not an address" }), {
    name: "InvalidInputError",
  });
});

Deno.test("the daily_report schedule's job runs to the end", async () => {
  await using queue = await createTestQueue({ registry, schedules });
  const job = await queue.runSchedule("daily_report");
  await queue.drain();
  const done = await queue.getJob(job.id);
  assert.equal(done?.state, "finished");
  assert.deepEqual(done?.result, { sentTo: "team@example.com", period: "daily" });
});
`;

const MAIN = `/**
 * This project's own \`tq\`: every command (start, serve, worker, cron, jobs, …) with the
 * tasks and schedules of tasks/mod.ts. \`deno task start\` runs it; \`deno compile\` makes
 * it one binary.
 */
import { runCli } from "@tq/tq/cli";
import { registry, schedules } from "./tasks/mod.ts";

// Handler threads and processes (isolation: "thread" | "process") load the tasks from here.
const tasksModule = new URL("./tasks/mod.ts", import.meta.url);
Deno.exit(await runCli(Deno.args, { registry, schedules, tasksModule }));
`;

const README = `# My tq project

Background jobs with [tq](https://jsr.io/@tq/tq).

- \`deno task start\`: the HTTP API, the dashboard (http://127.0.0.1:8000) and a worker on
  a local KV file, \`./data/tq.db\`.
- \`deno task tq --help\`: every other command (\`worker\`, \`serve\`, \`cron\`, \`jobs\`, …).
- \`deno task test\`: the tests of your tasks (tasks/mod_test.ts), in memory.

Add a task in \`tasks/mod.ts\` (a zod schema and a handler), list it in \`registry\`, and
enqueue it with \`POST /tasks/<name>\` or \`yourTask.enqueue(input)\`.
`;

/**
 * The project's files, by path.
 *
 * @example
 * ```ts
 * import { initFiles } from "./init_files.ts";
 * console.assert("tasks/mod.ts" in initFiles());
 * ```
 */
export function initFiles(): Record<string, string> {
  const config = {
    imports: {
      "@tq/tq": `jsr:@tq/tq@^${denoJson.version}`,
      // zod as tq pins it: your schemas and tq's must be one library.
      zod: denoJson.imports.zod,
    },
    unstable: ["kv", "cron", "worker-options"],
    tasks: {
      start: `deno run ${V8_FLAGS} ${PERMISSIONS} main.ts start`,
      tq: `deno run ${V8_FLAGS} ${PERMISSIONS} main.ts`,
      test: "deno test --allow-env --allow-sys=hostname",
      compile: `deno compile ${V8_FLAGS} ${PERMISSIONS} --output dist/tq main.ts`,
    },
  };
  return {
    "deno.json": JSON.stringify(config, null, 2) + "\n",
    "tasks/mod.ts": TASKS,
    "tasks/mod_test.ts": TASKS_TEST,
    "main.ts": MAIN,
    "README.md": README,
    ".gitignore": "data/\ndist/\n",
  };
}
