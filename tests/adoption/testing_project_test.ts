/**
 * A user's project outside the repository tests its own tasks with `@tq/tq/testing`:
 * `runTask` on one handler, and `createTestQueue().drain()` through a parent that enqueues
 * children, a flow and a retry after a long backoff, in its own `deno test`.
 */
import { assert, assertEquals } from "../assert.ts";
import { TempProject } from "./temp_project.ts";

const TASKS = `import { z } from "zod";
import { defineTask, Registry } from "@tq/tq";

export const thumbnail = defineTask({
  name: "thumbnail",
  input: z.object({ url: z.url(), width: z.int().positive() }),
  handler: ({ url, width }) => \`\${url}?w=\${width}\`,
});

let calls = 0;
export const upload = defineTask({
  name: "upload",
  input: z.object({ url: z.url() }),
  retry: { maxAttempts: 3, backoff: { baseMs: 3_600_000 } },
  handler: ({ url }, ctx) => {
    if (++calls === 1) throw new Error("storage busy");
    return { stored: url, attempt: ctx.attempt };
  },
});

export const album = defineTask({
  name: "album",
  input: z.object({ urls: z.array(z.url()) }),
  handler: async ({ urls }) => {
    const thumbs = await Promise.all(urls.map((url) => thumbnail.enqueue({ url, width: 64 })));
    const up = await upload.enqueue({ url: urls[0] }, { dependsOn: thumbs.map((t) => t.id) });
    return { thumbs: thumbs.map((t) => t.id), upload: up.id };
  },
});

export const registry = new Registry([thumbnail, upload, album]);
`;

const TEST = `import assert from "node:assert/strict";
import { createTestQueue, FakeClock, runTask } from "@tq/tq/testing";
import { album, registry, thumbnail } from "./tasks.ts";

Deno.test("runTask runs one handler with its schema", async () => {
  assert.equal(await runTask(thumbnail, { url: "https://x.example/a.png", width: 64 }),
    "https://x.example/a.png?w=64");
  await assert.rejects(() => runTask(thumbnail, { url: "nope", width: 0 }), { name: "InvalidInputError" });
});

Deno.test("drain runs children, a flow and a retry after an hour's backoff", async () => {
  const clock = new FakeClock(Date.UTC(2026, 5, 1));
  await using queue = await createTestQueue({ registry, clock });
  const job = await album.enqueue({ urls: ["https://x.example/a.png", "https://x.example/b.png"] });
  await queue.drain();
  const parent = await queue.getJob(job.id);
  assert.equal(parent?.state, "finished");
  const { thumbs, upload } = parent?.result as { thumbs: string[]; upload: string };
  for (const id of thumbs) assert.equal((await queue.getJob(id))?.state, "finished");
  const up = await queue.getJob(upload);
  assert.deepEqual([up?.state, up?.attempts], ["finished", 2]);
  assert.ok(clock.now() - Date.UTC(2026, 5, 1) >= 1_800_000, "the fake clock moved");
});
`;

Deno.test({
  name: "a user's project runs its own deno test with runTask and createTestQueue().drain()",
  sanitizeResources: false,
  async fn() {
    const project = await TempProject.create({ "tasks.ts": TASKS, "tasks_test.ts": TEST });
    try {
      const out = await project.run(["test", "--allow-env", "--allow-sys=hostname"]);
      assertEquals(out.code, 0, out.stdout + out.stderr);
      assert(out.stdout.includes("2 passed"), out.stdout);
      const left = [...Deno.readDirSync(project.dir)].map((e) => e.name).sort();
      assertEquals(left.filter((n) => n !== "deno.lock"), [
        "deno.json",
        "tasks.ts",
        "tasks_test.ts",
      ]);
    } finally {
      await project.remove();
    }
  },
});
