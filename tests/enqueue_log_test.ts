/**
 * The `job:enqueued` line: whichever process enqueues (an app through `task.enqueue()`, the
 * CLI, `tq serve`) logs each stored job with its id, task and queue.
 */
import { z } from "zod";
import { assertEquals } from "./assert.ts";
import { connect } from "../src/connect.ts";
import { createLogger } from "../src/log.ts";
import { defineTask } from "../src/registry/define_task.ts";
import { Registry } from "../src/registry/registry.ts";
import { runTq, tempDb } from "./integration/tq_process.ts";

const greet = defineTask({
  name: "greet",
  queue: "mail",
  input: z.object({ name: z.string() }),
  handler: ({ name }) => `hello ${name}`,
});

Deno.test("task.enqueue() logs job:enqueued through the logger given to connect()", async () => {
  const { db, cleanup } = await tempDb();
  const lines: string[] = [];
  const logger = createLogger({ format: "json", write: (line) => lines.push(line) });
  const tq = await connect({ registry: new Registry([greet]), db, logger });
  try {
    const job = await greet.enqueue({ name: "Ada" });
    const [many] = await tq.producer.enqueueMany([{ task: "greet", input: { name: "Bo" } }]);
    await tq.producer.enqueue({ task: "greet", input: {}, queue: "refused" }).catch(() => {});
    const logged = lines.map((line) => JSON.parse(line));
    assertEquals(
      logged.map(({ event, job_id, task, queue }) => ({ event, job_id, task, queue })),
      [
        { event: "job:enqueued", job_id: job.id, task: "greet", queue: "mail" },
        { event: "job:enqueued", job_id: many.id, task: "greet", queue: "mail" },
      ],
    );
  } finally {
    await tq.close();
    await cleanup();
  }
});

Deno.test("tq enqueue logs job:enqueued on stderr as a JSON line", async () => {
  const { db, cleanup } = await tempDb();
  try {
    const { code, stdout, stderr } = await runTq(["enqueue", "noop", "{}", "--db", db]);
    assertEquals(code, 0);
    const id = JSON.parse(stdout).id;
    const line = stderr.trim().split("\n").map((l) => JSON.parse(l))
      .find((l) => l.event === "job:enqueued");
    assertEquals([line?.job_id, line?.task, line?.queue], [id, "noop", "default"]);
  } finally {
    await cleanup();
  }
});
