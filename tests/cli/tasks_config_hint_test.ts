import { assert, assertEquals } from "../assert.ts";
import { projectConfig, tasksConfigHint } from "../../src/cli/tasks_config_hint.ts";

async function withProject(fn: (dir: string) => Promise<void> | void) {
  const dir = await Deno.makeTempDir({ prefix: "tq_hint_" });
  try {
    await Deno.mkdir(`${dir}/app/tasks`, { recursive: true });
    await Deno.writeTextFile(`${dir}/app/deno.jsonc`, "{}");
    await Deno.writeTextFile(`${dir}/app/tasks/mod.ts`, "");
    await Deno.mkdir(`${dir}/tq`);
    await Deno.writeTextFile(`${dir}/tq/deno.json`, "{}");
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("projectConfig() finds the nearest deno.json or deno.jsonc above a module", async () => {
  await withProject((dir) => {
    assertEquals(projectConfig(`${dir}/app/tasks/mod.ts`), `${dir}/app/deno.jsonc`);
    assertEquals(projectConfig(`${dir}/tq/main.ts`), `${dir}/tq/deno.json`);
  });
});

Deno.test("tasksConfigHint() gives the deno run command with the module's own config", async () => {
  await withProject((dir) => {
    const hint = tasksConfigHint(`${dir}/app/tasks/mod.ts`, {
      mainModule: `file://${dir}/tq/main.ts`,
      execPath: "/usr/local/bin/deno",
      args: ["worker", "--tasks", "./tasks/mod.ts", "--env-file", "my env"],
    });
    assert(
      hint.includes(
        `deno run -A --unstable-kv --unstable-cron --config ${dir}/app/deno.jsonc ` +
          `${dir}/tq/main.ts worker --tasks ./tasks/mod.ts --env-file 'my env'`,
      ),
      hint,
    );
    assert(hint.includes("runCli"), hint);
  });
});

Deno.test("tasksConfigHint() says nothing when the module shares tq's own config", async () => {
  await withProject(async (dir) => {
    await Deno.writeTextFile(`${dir}/tq/tasks.ts`, "");
    const facts = { mainModule: `file://${dir}/tq/main.ts`, execPath: "deno", args: [] };
    assertEquals(tasksConfigHint(`${dir}/tq/tasks.ts`, facts), "");
  });
});

Deno.test("tasksConfigHint() of a compiled binary points to the project's own runCli only", async () => {
  await withProject((dir) => {
    const hint = tasksConfigHint(`${dir}/app/tasks/mod.ts`, {
      mainModule: "file:///tmp/deno-compile-tq/main.ts",
      execPath: "/usr/local/bin/tq",
      args: [],
    });
    assert(!hint.includes("deno run"), hint);
    assert(hint.includes("runCli"), hint);
  });
});

Deno.test("tasksConfigHint() runs the project's own jsr:@tq/tq/cli when its deno.json maps it", async () => {
  await withProject(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/app/deno.jsonc`,
      '{ "imports": { "@tq/tq": "jsr:@tq/tq@^0.1.0" } }',
    );
    const hint = tasksConfigHint(`${dir}/app/tasks/mod.ts`, {
      mainModule: "file:///tmp/deno-compile-tq/main.ts",
      execPath: "/usr/local/bin/tq",
      args: ["cron", "--tasks", "./tasks/mod.ts"],
    });
    assert(
      hint.includes(
        `deno run -A --unstable-kv --unstable-cron --config ${dir}/app/deno.jsonc ` +
          "jsr:@tq/tq/cli cron --tasks ./tasks/mod.ts",
      ),
      hint,
    );
  });
});
