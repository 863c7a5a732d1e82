/**
 * When a `--tasks` module belongs to another project (the user's own, beside its own
 * deno.json) its bare imports (`zod`, `@tq/tq`, the project's own aliases) resolve through
 * the config tq was started with, not the project's. This builds the exact command that
 * runs tq with the project's config instead.
 *
 * @example
 * ```ts
 * import { projectConfig } from "./tasks_config_hint.ts";
 * console.assert(projectConfig("/no/such/dir/tasks/mod.ts") === undefined);
 * ```
 * @module
 */
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const CONFIG_NAMES = ["deno.json", "deno.jsonc"];

/**
 * The nearest `deno.json` or `deno.jsonc` above the file at `path`, or `undefined`.
 *
 * @example
 * ```ts ignore
 * projectConfig("./tasks/mod.ts"); // "/home/ada/shop/deno.json"
 * ```
 */
export function projectConfig(path: string): string | undefined {
  let dir = dirname(resolve(path));
  while (true) {
    for (const name of CONFIG_NAMES) {
      const candidate = `${dir}/${name}`;
      try {
        if (Deno.statSync(candidate).isFile) return candidate;
      } catch {
        // Not here: look one level up.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** What {@linkcode tasksConfigHint} needs to know about the running process. */
export interface ProcessFacts {
  /** `Deno.mainModule`. */
  mainModule: string;
  /** `Deno.execPath()`. */
  execPath: string;
  /** `Deno.args`. */
  args: string[];
}

/**
 * Extra lines for the error of a `--tasks` module that failed to load because of its
 * imports, or `""` when its project's config is the one tq runs with anyway.
 *
 * @example
 * ```ts ignore
 * tasksConfigHint("./tasks/mod.ts", {
 *   mainModule: Deno.mainModule,
 *   execPath: Deno.execPath(),
 *   args: Deno.args,
 * });
 * ```
 */
export function tasksConfigHint(path: string, facts: ProcessFacts): string {
  const config = projectConfig(path);
  if (!config) return "";
  const main = facts.mainModule.startsWith("file:") ? fileURLToPath(facts.mainModule) : "";
  if (main && projectConfig(main) === config) return "";
  const flags = ["run", "-A", "--unstable-kv", "--unstable-cron", "--config", config];
  const run = (entry: string) => ["deno", ...flags, entry, ...facts.args].map(shellQuote);
  const lines = [
    `${path} belongs to the project of ${config}, whose imports this tq does not use ` +
    "(it resolves through its own deno.json).",
  ];
  if (dependsOnTq(config)) {
    // The project's own @tq/tq, run directly: its deno.json resolves everything.
    lines.push("Run the project's own tq with it:", `  ${run("jsr:@tq/tq/cli").join(" ")}`);
  } else if (main && /^deno(\.exe)?$/.test(basename(facts.execPath))) {
    lines.push("Run tq with the project's config:", `  ${run(main).join(" ")}`);
  } else {
    lines.push("Add @tq/tq to its imports (deno add jsr:@tq/tq),");
  }
  lines.push(
    'or give the project its own tq: a main.ts that calls runCli from "@tq/tq/cli" with its ' +
      'registry and schedules (README: "Use tq in your own project")',
  );
  return lines.map((line) => `\n  ${line}`).join("");
}

/** Whether the deno.json at `config` maps `@tq/tq` (a plain look at its text: it is JSONC). */
function dependsOnTq(config: string): boolean {
  try {
    return Deno.readTextFileSync(config).includes(`"@tq/tq"`);
  } catch {
    return false;
  }
}

/** `text` as one shell word. */
function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
