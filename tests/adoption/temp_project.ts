/**
 * A Deno project outside the repository that depends on tq exactly as a user's project
 * would once tq is published: `"@tq/tq": "jsr:@tq/tq@^0.1.0"` in its imports, resolved to
 * this checkout through deno.json `"links"` (Deno 2.9's local-package link). The project's
 * own files are written into a fresh temp dir; `remove()` deletes it.
 *
 * @example
 * ```ts ignore
 * const project = await TempProject.create({ "main.ts": "console.log(1)" });
 * const { code, stdout } = await project.run(["run", "-A", "main.ts"]);
 * await project.remove();
 * ```
 * @module
 */

/** The checkout that the project links to. */
export const TQ_ROOT: string = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

/** zod as tq pins it, so the user's schemas and tq's are one library. */
const ZOD = JSON.parse(Deno.readTextFileSync(`${TQ_ROOT}/deno.json`)).imports.zod as string;

/** The deno.json a user writes after `deno add jsr:@tq/tq`. */
export function projectConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    imports: { "@tq/tq": "jsr:@tq/tq@^0.1.0", "zod": ZOD },
    links: [TQ_ROOT],
    unstable: ["kv", "cron", "worker-options"],
    ...extra,
  };
}

/** What a finished `deno …` command printed. */
export interface RunOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** A temporary project directory with its own deno.json. */
export class TempProject {
  private constructor(readonly dir: string) {}

  /** Writes `files` (path relative to the project → text) beside a deno.json. */
  static async create(
    files: Record<string, string>,
    config: Record<string, unknown> = projectConfig(),
  ): Promise<TempProject> {
    const dir = await Deno.makeTempDir({ prefix: "tq_user_project_" });
    const project = new TempProject(dir);
    await project.write({ "deno.json": JSON.stringify(config, null, 2), ...files });
    return project;
  }

  /** Writes more files into the project. */
  async write(files: Record<string, string>): Promise<void> {
    for (const [path, text] of Object.entries(files)) {
      const full = `${this.dir}/${path}`;
      await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
      await Deno.writeTextFile(full, text);
    }
  }

  /** Runs `deno …args` inside the project and waits for it. */
  async run(args: string[], env: Record<string, string> = {}): Promise<RunOutput> {
    const output = await this.command(args, env).output();
    const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
  }

  /** `deno …args` inside the project, not yet started (for long-running commands). */
  command(args: string[], env: Record<string, string> = {}): Deno.Command {
    return new Deno.Command(Deno.execPath(), {
      args,
      cwd: this.dir,
      env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    });
  }

  /** Deletes the project directory. */
  async remove(): Promise<void> {
    await Deno.remove(this.dir, { recursive: true });
  }
}
