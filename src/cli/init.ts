/**
 * `tq init [DIR]`: scaffolds a project that uses tq as a library (see `init_files.ts`):
 * deno.json with the `@tq/tq` import, `tasks/mod.ts` with one task and one schedule,
 * `main.ts` (the project's own `tq`, through `runCli`) and a test of the task. It writes
 * only into an empty or missing directory, so it never overwrites anything.
 *
 * @example
 * ```ts ignore
 * await initCommand(["my-jobs"]); // then: cd my-jobs && deno task test
 * ```
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { UsageError } from "./args.ts";
import { initFiles } from "./init_files.ts";

/** Help of `tq init`. */
export const INIT_HELP = `Usage: tq init [DIR]

Creates a Deno project that uses tq in DIR (default: the current directory), which must
be empty or not exist yet: deno.json importing jsr:@tq/tq, tasks/mod.ts with one task and
one schedule, main.ts (your own tq: every command, with your tasks) and tasks/mod_test.ts.

Then: cd DIR && deno task test && deno task start`;

/**
 * A directory `tq init` will not write into, because something is there already.
 *
 * @example
 * ```ts
 * import { DirectoryNotEmptyError } from "./init.ts";
 * console.assert(new DirectoryNotEmptyError("./app").message.startsWith("./app is not empty"));
 * ```
 */
export class DirectoryNotEmptyError extends Error {
  constructor(readonly dir: string) {
    super(`${dir} is not empty: tq init writes only into an empty or new directory`);
    this.name = "DirectoryNotEmptyError";
  }
}

/** Whether `dir` holds anything (a missing directory holds nothing). */
async function hasEntries(dir: string): Promise<boolean> {
  try {
    for await (const _ of Deno.readDir(dir)) return true;
    return false;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/**
 * Writes the project into `dir`; throws {@linkcode DirectoryNotEmptyError} if it holds
 * anything. Resolves with the paths written, relative to `dir`.
 *
 * @example
 * ```ts ignore
 * const written = await scaffold("./my-jobs");
 * ```
 */
export async function scaffold(dir: string): Promise<string[]> {
  if (await hasEntries(dir)) throw new DirectoryNotEmptyError(dir);
  const files = initFiles();
  for (const [path, text] of Object.entries(files)) {
    const full = join(dir, path);
    await Deno.mkdir(join(full, ".."), { recursive: true });
    await Deno.writeTextFile(full, text, { createNew: true });
  }
  return Object.keys(files);
}

/**
 * Runs `tq init`.
 *
 * @example
 * ```ts ignore
 * Deno.exit(await initCommand(["my-jobs"]));
 * ```
 */
export async function initCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`init: ${(error as Error).message} (see 'tq init --help')`);
  }
  if (parsed.values.help) {
    console.log(INIT_HELP);
    return 0;
  }
  if (parsed.positionals.length > 1) throw new UsageError("init: give at most one DIR");
  const dir = parsed.positionals[0] ?? ".";
  const written = await scaffold(dir);
  console.log(`Created a tq project in ${dir}:`);
  for (const path of written) console.log(`  ${path}`);
  console.log(`\nNext: ${dir === "." ? "" : `cd ${dir} && `}deno task test && deno task start`);
  return 0;
}
