/**
 * The `tq` binary with the bundled tasks and schedules (`tasks/mod.ts`). See `tq --help`,
 * or README.md. An application's own binary is the same three lines with its own tasks.
 * @module
 */
import { runCli } from "./src/cli/mod.ts";
import { registry, schedules } from "./tasks/mod.ts";

const tasksModule = new URL("./tasks/mod.ts", import.meta.url);
if (import.meta.main) Deno.exit(await runCli(Deno.args, { registry, schedules, tasksModule }));
