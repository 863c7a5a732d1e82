import { assert, assertEquals, assertRejects } from "../assert.ts";
import { DirectoryNotEmptyError, initCommand, scaffold } from "../../src/cli/init.ts";
import { runCli } from "../../src/cli/main.ts";
import { registry } from "../../tasks/mod.ts";
import { TempProject, TQ_ROOT } from "./temp_project.ts";

Deno.test("tq init writes the project into a new directory and refuses a non-empty one", async () => {
  const parent = await Deno.makeTempDir({ prefix: "tq_init_" });
  try {
    const dir = `${parent}/my-jobs`;
    assertEquals(await initCommand([dir]), 0);
    const config = JSON.parse(await Deno.readTextFile(`${dir}/deno.json`));
    assertEquals(config.imports["@tq/tq"], "jsr:@tq/tq@^0.1.0");
    const tq = JSON.parse(await Deno.readTextFile(`${TQ_ROOT}/deno.json`));
    assertEquals(config.imports.zod, tq.imports.zod);
    assertEquals(config.unstable, ["kv", "cron", "worker-options"]);
    assert(
      config.tasks.start.includes("main.ts start") && config.tasks.test.startsWith("deno test"),
    );
    const entry = await Deno.readTextFile(`${dir}/main.ts`);
    assert(entry.includes('from "@tq/tq/cli"'));
    assert(entry.includes("runCli(Deno.args, { registry, schedules, tasksModule })"));

    const before = await Deno.readTextFile(`${dir}/tasks/mod.ts`);
    await assertRejects(() => scaffold(dir), DirectoryNotEmptyError, dir);
    assertEquals(await runCli(["init", dir], { registry }), 1);
    assertEquals(await Deno.readTextFile(`${dir}/tasks/mod.ts`), before);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test({
  name: "a project from tq init passes its own deno test at once, and its tasks module checks",
  sanitizeResources: false,
  async fn() {
    const project = await TempProject.create({});
    try {
      await Deno.remove(`${project.dir}/deno.json`);
      await scaffold(project.dir);
      // What `deno add jsr:@tq/tq` will give once tq is published: here, a link to this checkout.
      const config = JSON.parse(await Deno.readTextFile(`${project.dir}/deno.json`));
      await project.write({
        "deno.json": JSON.stringify({ ...config, links: [TQ_ROOT] }, null, 2),
      });
      const check = await project.run(["check", "tasks/mod.ts"]);
      assertEquals(check.code, 0, check.stderr);
      const test = await project.run(["task", "test"]);
      assertEquals(test.code, 0, test.stdout + test.stderr);
      assert(test.stdout.includes("3 passed"), test.stdout);
    } finally {
      await project.remove();
    }
  },
});
