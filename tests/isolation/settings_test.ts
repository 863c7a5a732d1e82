/** `--isolation` and the task options of issue #13, checked before anything runs. */
import { z } from "zod";
import { assert, assertEquals, assertThrows } from "../assert.ts";
import { UsageError } from "../../src/cli/args.ts";
import { workerSettings } from "../../src/cli/worker.ts";
import { defineTask, type Isolation } from "../../src/registry/define_task.ts";
import { Registry } from "../../src/registry/registry.ts";
import { Worker } from "../../src/worker/worker.ts";

function assertMessage(error: Error, part: string): void {
  assert(error.message.includes(part), error.message);
}
import { openKvStore } from "../../src/open_kv_store.ts";

Deno.test("--isolation takes inline, thread or process, and defaults to inline", () => {
  assertEquals(workerSettings({}).isolation, "inline");
  assertEquals(workerSettings({ isolation: "thread" }).isolation, "thread");
  assertMessage(
    assertThrows(() => workerSettings({ isolation: "fork" }), UsageError),
    "--isolation",
  );
});

Deno.test("the worker's tasks module is --tasks resolved, else the one runCli was given", () => {
  const given = new URL("../../tasks/mod.ts", import.meta.url);
  assertEquals(
    workerSettings({ tasks: "tests/fixtures/heavy_tasks.ts" }, { tasksModule: given }).tasksModule,
    new URL("../fixtures/heavy_tasks.ts", import.meta.url).href,
  );
  assertEquals(workerSettings({}, { tasksModule: given }).tasksModule, given.href);
  assertEquals(workerSettings({}).tasksModule, undefined);
});

Deno.test("defineTask refuses an unknown isolation and a tiny memory limit", () => {
  const base = { name: "t", input: z.unknown(), handler: () => null };
  assertMessage(
    assertThrows(() => defineTask({ ...base, isolation: "fork" as Isolation }), TypeError),
    "isolation",
  );
  assertMessage(assertThrows(() => defineTask({ ...base, memoryMb: 8 }), RangeError), "memoryMb");
});

Deno.test("a worker with thread or process tasks but no tasksModule refuses to start", async () => {
  const dir = await Deno.makeTempDir();
  const store = await openKvStore(`${dir}/tq.db`);
  try {
    const task = defineTask({
      name: "t",
      input: z.unknown(),
      isolation: "thread",
      handler: () => 1,
    });
    const refused = () => new Worker({ store, registry: new Registry([task]) });
    assertMessage(assertThrows(refused, TypeError), "tasksModule");
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
