/**
 * Helpers of the Python worker tests: a real `tq serve` with the external tasks of
 * `tests/fixtures/external_tasks.ts` on a KV file or a real redis-server, and Python worker
 * processes (`tests/fixtures/py_worker.py`) stopped by PID.
 *
 * @example
 * ```ts ignore
 * await withPythonTq("kv", async ({ url, api }) => {
 *   const worker = PyWorker.start(url, "py-a");
 *   const id = await api.enqueue("py_work", { n: 2 });
 * });
 * ```
 * @module
 */
import { RedisServer } from "../store/redis_server.ts";
import { eventually, tempDb, TqProcess } from "./tq_process.ts";

const ROOT = new URL("../../", import.meta.url);
const TASKS = "tests/fixtures/external_tasks.ts";

/** The Python the tests use (Debian's when present: it is the one CI installs). */
export const PYTHON = await (async () => {
  try {
    await Deno.stat("/usr/bin/python3");
    return "/usr/bin/python3";
  } catch {
    return "python3";
  }
})();

/** A Python worker process. */
export class PyWorker {
  #stderr = "";
  readonly #child: Deno.ChildProcess;
  readonly #done: Promise<void>;

  private constructor(child: Deno.ChildProcess) {
    this.#child = child;
    this.#done = (async () => {
      for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
        this.#stderr += chunk;
      }
    })();
  }

  /** Starts `py_worker.py URL NAME CONCURRENCY LEASE_MS`. */
  static start(url: string, name: string, concurrency = 4, leaseMs = 1_500): PyWorker {
    const args = [url, name, String(concurrency), String(leaseMs)];
    return PyWorker.startScript("tests/fixtures/py_worker.py", args);
  }

  /** Starts any Python worker script (a path from the repository's root). */
  static startScript(script: string, args: string[], env: Record<string, string> = {}): PyWorker {
    const child = new Deno.Command(PYTHON, {
      args: [script, ...args],
      cwd: ROOT,
      env,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    return new PyWorker(child);
  }

  get pid(): number {
    return this.#child.pid;
  }

  /** What it logged so far. */
  get log(): string {
    return this.#stderr;
  }

  signal(signal: Deno.Signal): void {
    try {
      this.#child.kill(signal);
    } catch {
      // Already gone.
    }
  }

  /** Sends `signal` and waits for the exit code. */
  async stop(signal: Deno.Signal = "SIGTERM"): Promise<number> {
    this.signal(signal);
    const { code } = await this.#child.status;
    await this.#done;
    return code;
  }
}

/** The API of the server under test, as a producer sees it. */
export interface PyApi {
  enqueue(task: string, input: unknown): Promise<string>;
  job(id: string): Promise<Record<string, unknown>>;
  post(path: string, body?: unknown): Promise<Response>;
  /** The job once it ended (finished, failed, canceled). */
  ended(id: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

/** Runs `fn` against a fresh `tq serve` on `store`, stopped (and cleaned up) after. */
export async function withPythonTq(
  store: "kv" | "redis",
  fn: (ctx: { url: string; api: PyApi; server: TqProcess }) => Promise<void>,
): Promise<void> {
  const temp = await tempDb();
  const redis = store === "redis" ? await RedisServer.start() : undefined;
  const where = redis ? ["--redis", redis.url] : ["--db", temp.db];
  const server = TqProcess.start(["serve", "--port", "0", "--tasks", TASKS, ...where]);
  try {
    const url = await server.url();
    const post = (path: string, body?: unknown) =>
      fetch(url + path, {
        method: "POST",
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: { "content-type": "application/json" },
      });
    const job = async (id: string) => await (await fetch(`${url}/jobs/${id}`)).json();
    const api: PyApi = {
      async enqueue(task, input) {
        const res = await post("/jobs", { task, input });
        if (res.status !== 202) throw new Error(`enqueue: ${res.status} ${await res.text()}`);
        return (await res.json()).job_id;
      },
      job,
      post,
      ended: (id, timeoutMs = 30_000) =>
        eventually(
          async () => {
            const body = await job(id);
            return ["finished", "failed", "canceled"].includes(body.status) ? body : null;
          },
          timeoutMs,
          `job ${id} to end`,
        ),
    };
    await fn({ url, api, server });
  } finally {
    await server.stop("SIGKILL");
    await redis?.kill();
    await temp.cleanup();
  }
}
