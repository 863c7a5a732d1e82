/**
 * The files of a small user project for the adoption tests: its own task (through its own
 * import alias), its own schedule, and the three-line `main.ts` that makes tq its own CLI.
 *
 * @example
 * ```ts ignore
 * const project = await TempProject.create(USER_FILES, projectConfig(USER_IMPORTS));
 * ```
 * @module
 */
import { projectConfig } from "./temp_project.ts";

/** A deno.json with an import only this project maps (`greeting-lib`). */
export function userConfig(): Record<string, unknown> {
  const config = projectConfig();
  const imports = config.imports as Record<string, string>;
  return { ...config, imports: { ...imports, "greeting-lib": "./lib/greeting.ts" } };
}

/** The project's files, beside its deno.json. */
export const USER_FILES: Record<string, string> = {
  "lib/greeting.ts": "export const greeting = (name: string) => `hello, ${name}`;\n",
  "tasks/greet.ts": `import { z } from "zod";
import { defineTask } from "@tq/tq";
import { greeting } from "greeting-lib";

export const greet = defineTask({
  name: "greet",
  input: z.object({ name: z.string() }),
  handler: ({ name }) => Promise.resolve({ greeting: greeting(name) }),
});
`,
  "tasks/mod.ts": `import { defineSchedule, Registry, type ScheduleDefinition } from "@tq/tq";
import { greet } from "./greet.ts";

export const registry = new Registry([greet]);

export const schedules: ScheduleDefinition[] = [
  defineSchedule({ name: "morning_greeting", cron: "0 7 * * *", task: "greet", input: { name: "team" } }),
];
`,
  "main.ts": `import { runCli } from "@tq/tq/cli";
import { registry, schedules } from "./tasks/mod.ts";
if (import.meta.main) Deno.exit(await runCli(Deno.args, { registry, schedules }));
`,
};

/** The same project with tasks that import only `@tq/tq` and `zod` (which tq maps too). */
export const PLAIN_FILES: Record<string, string> = {
  ...USER_FILES,
  "tasks/greet.ts": USER_FILES["tasks/greet.ts"]
    .replace('import { greeting } from "greeting-lib";\n', "")
    .replace("greeting(name)", "`hello, ${name}`"),
};
