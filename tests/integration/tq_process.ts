/**
 * Real `tq` subprocesses for integration tests: started exactly as `deno task tq` starts
 * them (same permission flags, read from deno.json), their stderr JSON log lines collected,
 * stopped by PID at the end.
 *
 * @example
 * ```ts ignore
 * const server = await TqProcess.start(["serve", "--port", "0", "--db", db]);
 * const url = await server.url();
 * await server.stop();
 * ```
 * @module
 */
const ROOT = new URL("../../", import.meta.url);
const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
/** `deno run <flags> main.ts`, as the `tq` task in deno.json says. */
export const TQ_ARGS: string[] = (config.tasks.tq as string).split(/\s+/).slice(1);

/** One parsed JSON log line. */
export type LogLine = Record<string, unknown> & { event: string };

/** A running `tq` command. */
export class TqProcess {
  readonly lines: LogLine[] = [];
  readonly #child: Deno.ChildProcess;
  readonly #stdout: Promise<string>;
  readonly #done: Promise<void>;
  #listeners: (() => void)[] = [];

  private constructor(child: Deno.ChildProcess) {
    this.#child = child;
    this.#stdout = new Response(child.stdout).text();
    this.#done = this.#readLog(child.stderr);
  }

  /** Starts `tq ...args` with extra environment variables. */
  static start(args: string[], env: Record<string, string> = {}): TqProcess {
    const child = new Deno.Command(Deno.execPath(), {
      args: [...TQ_ARGS, ...args],
      cwd: ROOT,
      env: { NO_COLOR: "1", TQ_LOG_LEVEL: "info", ...env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    return new TqProcess(child);
  }

  /** Starts any command that runs a tq CLI (a user project's own `main.ts`, say). */
  static spawn(command: Deno.Command): TqProcess {
    return new TqProcess(command.spawn());
  }

  get pid(): number {
    return this.#child.pid;
  }

  async #readLog(stream: ReadableStream<Uint8Array>): Promise<void> {
    let buffer = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      const lines = buffer.split("\n");
      buffer = lines.pop()!;
      for (const line of lines) {
        try {
          this.lines.push(JSON.parse(line));
        } catch {
          this.lines.push({ event: "text", text: line });
        }
      }
      this.#listeners.forEach((notify) => notify());
    }
  }

  /** Resolves with the first log line matching `predicate`; rejects after `timeoutMs`. */
  waitForLine(predicate: (line: LogLine) => boolean, timeoutMs = 20_000): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.lines.find(predicate);
        if (!found) return false;
        clearTimeout(timer);
        this.#listeners = this.#listeners.filter((l) => l !== listener);
        resolve(found);
        return true;
      };
      const listener = () => void check();
      const timer = setTimeout(() => {
        this.#listeners = this.#listeners.filter((l) => l !== listener);
        reject(new Error(`no matching log line within ${timeoutMs} ms; got:\n${this.logText()}`));
      }, timeoutMs);
      if (!check()) this.#listeners.push(listener);
    });
  }

  /** The base URL of a `serve` or `start` process, once it listens. */
  async url(): Promise<string> {
    const line = await this.waitForLine((l) => l.event === "server:listening");
    return line.url as string;
  }

  /** Sends a signal. */
  kill(signal: Deno.Signal = "SIGTERM"): void {
    try {
      this.#child.kill(signal);
    } catch {
      // Already gone.
    }
  }

  /** Waits for the process to end; returns its exit code and stdout. */
  async exit(): Promise<{ code: number; stdout: string }> {
    const status = await this.#child.status;
    await this.#done;
    return { code: status.code, stdout: await this.#stdout };
  }

  /** SIGTERM (or `signal`), then the exit. */
  async stop(signal: Deno.Signal = "SIGTERM"): Promise<{ code: number; stdout: string }> {
    this.kill(signal);
    return await this.exit();
  }

  /** Everything it logged, for failure messages. */
  logText(): string {
    return this.lines.map((l) => JSON.stringify(l)).join("\n");
  }
}

/** Runs `tq ...args` to completion: its exit code, stdout and stderr. */
export async function runTq(
  args: string[],
  env: Record<string, string> = {},
  stdin?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...TQ_ARGS, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const output = await child.output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

/** A temp dir with a KV file path in it, removed by `cleanup`. */
export async function tempDb(): Promise<{ db: string; dir: string; cleanup(): Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "tq-it-" });
  return { db: `${dir}/tq.db`, dir, cleanup: () => Deno.remove(dir, { recursive: true }) };
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function eventually<T>(
  fn: () => Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await fn();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
