/**
 * A project outside the repository adopts tq as a user would (`jsr:@tq/tq` resolved to this
 * checkout through deno.json "links"), with only the public exports: its own task, its
 * own schedule, its own `main.ts` calling `runCli`.
 */
import { assert, assertEquals } from "../assert.ts";
import { denortPresent } from "../denort.ts";
import { eventually, TqProcess } from "../integration/tq_process.ts";
import { TempProject, TQ_ROOT } from "./temp_project.ts";
import { PLAIN_FILES, USER_FILES, userConfig } from "./user_project.ts";

async function withProject(
  fn: (project: TempProject, db: string) => Promise<void>,
  files: Record<string, string> = USER_FILES,
) {
  const project = await TempProject.create(files, userConfig());
  try {
    await fn(project, `${project.dir}/data/jobs.db`);
  } finally {
    await project.remove();
  }
}

/** Starts `deno …args` in the project, enqueues greet over HTTP, checks its result. */
async function greetOverHttp(project: TempProject, args: string[]) {
  const tq = TqProcess.spawn(project.command(args, { TQ_LOG_LEVEL: "info" }));
  try {
    const url = await tq.url();
    const response = await fetch(`${url}/tasks/greet`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Ada" }),
    });
    assertEquals(response.status, 202);
    const { status_url } = await response.json();
    const job = await eventually(
      async () => {
        const body = await (await fetch(`${url}${status_url}`)).json();
        return body.status === "finished" ? body : undefined;
      },
      30_000,
      "the job to finish",
    );
    assertEquals(job.result, { greeting: "hello, Ada" });
  } finally {
    await tq.stop();
  }
}

Deno.test("a project's own main.ts start runs its own task enqueued over HTTP", async () => {
  await withProject(async (project, db) => {
    await greetOverHttp(project, ["run", "-A", "main.ts", "start", "--db", db, "--port", "0"]);
  });
});

Deno.test("jsr:@tq/tq/cli run from the project with --tasks runs the project's tasks", async () => {
  await withProject(async (project, db) => {
    const tq = ["run", "-A", "jsr:@tq/tq/cli"];
    const refused = await project.run([...tq, "worker", "--db", db]);
    assertEquals(refused.code, 2, refused.stderr);
    assert(refused.stderr.includes("--tasks PATH"), refused.stderr);
    const tasks = ["--tasks", "./tasks/mod.ts", "--db", db, "--port", "0"];
    await greetOverHttp(project, [...tq, "start", ...tasks]);
    const queues = await project.run([...tq, "queues", "--json", "--db", db]);
    assertEquals(queues.code, 0, queues.stderr);
  });
});

Deno.test("a project's main.ts and tasks type-check against the public exports only", async () => {
  await withProject(async (project) => {
    const { code, stderr } = await project.run(["check", "main.ts", "tasks/mod.ts"]);
    assertEquals(code, 0, stderr);
  });
});

Deno.test("a project's own main.ts lists its own schedule with schedules list --json", async () => {
  await withProject(async (project, db) => {
    const created = await project.run([
      "run",
      "-A",
      "main.ts",
      "enqueue",
      "greet",
      '{"name":"x"}',
      "--db",
      db,
    ]);
    assertEquals(created.code, 0, created.stderr);
    const { code, stdout, stderr } = await project.run([
      "run",
      "-A",
      "main.ts",
      "schedules",
      "list",
      "--json",
      "--db",
      db,
    ]);
    assertEquals(code, 0, stderr);
    const { schedules } = JSON.parse(stdout);
    assertEquals(schedules.map((s: { name: string; task: string }) => [s.name, s.task]), [
      ["morning_greeting", "greet"],
    ]);
  });
});

Deno.test("a project's own main.ts refuses a read-only command on a --db that does not exist", async () => {
  await withProject(async (project, db) => {
    for (const command of [["jobs", "list"], ["queues"], ["stats"], ["workers"], ["schedules"]]) {
      const { code, stderr } = await project.run(["run", "-A", "main.ts", ...command, "--db", db]);
      assert(code !== 0, `${command.join(" ")} exited 0`);
      assert(stderr.includes(db), stderr);
    }
    const exists = await Deno.stat(db).then(() => true, () => false);
    assertEquals(exists, false);
  });
});

Deno.test("tq --tasks run from the project's directory names the exact command that loads it, which works", async () => {
  await withProject(async (project, db) => {
    await project.run(["run", "-A", "main.ts", "enqueue", "greet", '{"name":"x"}', "--db", db]);
    const tqMain = `${TQ_ROOT}/main.ts`;
    const list = ["schedules", "list", "--json", "--db", db, "--tasks", "./tasks/mod.ts"];
    const refused = await project.run(["run", "-A", tqMain, ...list]);
    assertEquals(refused.code, 2, refused.stderr);
    const hint = refused.stderr.split("\n").map((l) => l.trim()).find((l) =>
      l.startsWith("deno run")
    );
    assert(hint?.includes(" jsr:@tq/tq/cli "), refused.stderr);
    assert(!refused.stderr.includes("deno add npm:"), refused.stderr);
    const words = hint!.split(" ").slice(1).map((w) => w.replace(/^'(.*)'$/, "$1"));
    const { code, stdout, stderr } = await project.run(words);
    assertEquals(code, 0, stderr);
    assertEquals(JSON.parse(stdout).schedules[0].name, "morning_greeting");
  });
});

Deno.test({
  name: "a project's own main.ts compiles into its own binary that runs its own tasks",
  ignore: !denortPresent("own binary test"),
  async fn() {
    await withProject(async (project, db) => {
      const flags = ["--allow-read", "--allow-write", "--allow-net", "--allow-env", "--allow-sys"];
      const build = await project.run(["compile", ...flags, "--output", "dist/jobs", "main.ts"]);
      assertEquals(build.code, 0, build.stderr);
      const jobs = `${project.dir}/dist/jobs`;
      const enqueue = await new Deno.Command(jobs, {
        args: ["enqueue", "greet", '{"name":"Ada"}', "--db", db],
      }).output();
      assertEquals(enqueue.code, 0, new TextDecoder().decode(enqueue.stderr));
      const list = await new Deno.Command(jobs, {
        args: ["schedules", "list", "--json", "--db", db],
      }).output();
      assertEquals(list.code, 0, new TextDecoder().decode(list.stderr));
      const { schedules } = JSON.parse(new TextDecoder().decode(list.stdout));
      assertEquals(schedules[0].name, "morning_greeting");
    });
  },
});

Deno.test("tq's own main.ts --tasks, run from the project, loads tasks that import only @tq/tq and zod", async () => {
  await withProject(async (project, db) => {
    const tq = ["run", "-A", `${TQ_ROOT}/main.ts`];
    const tasks = ["--tasks", "./tasks/mod.ts", "--db", db];
    const enqueued = await project.run([...tq, "enqueue", "greet", '{"name":"x"}', ...tasks]);
    assertEquals(enqueued.code, 0, enqueued.stderr);
    const { code, stdout, stderr } = await project.run([
      ...tq,
      "schedules",
      "list",
      "--json",
      ...tasks,
    ]);
    assertEquals(code, 0, stderr);
    assertEquals(JSON.parse(stdout).schedules[0].name, "morning_greeting");
  }, PLAIN_FILES);
});
