/**
 * A real `redis-server` for tests: started on 127.0.0.1 and a free port in a temp dir,
 * stopped by PID. Without redis-server installed it fails loudly: a Redis test that
 * silently passed would prove nothing.
 *
 * @example
 * ```ts ignore
 * const server = await RedisServer.start();
 * const store = await openRedisStore(server.url, { prefix: "t1" });
 * await server.stop();
 * ```
 * @module
 */

/** How long a starting server may take to answer. */
const READY_TIMEOUT_MS = 10_000;

/** Starts tried, each on fresh ports, when a port is taken between the pick and the bind. */
const START_ATTEMPTS = 3;

/** Throws unless `redis-server` can be run, saying how to get it. */
export async function requireRedisServer(): Promise<void> {
  try {
    await new Deno.Command("redis-server", { args: ["--version"], stdout: "null" }).output();
  } catch {
    throw new Error(
      "redis-server is not installed: the Redis tests need it. `.ci/run` installs it " +
        "(apt-get install -y redis-server); on a Mac, `brew install redis`.",
    );
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/**
 * `start()`, tried again (up to {@linkcode START_ATTEMPTS} in all) while its failure is a port
 * taken between the pick and the bind (by a parallel test's outgoing connection, say): each
 * try picks fresh ports.
 */
export async function startOnFreshPorts<T>(
  start: () => Promise<T>,
  portTaken: (error: unknown) => boolean | Promise<boolean>,
): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (attempt === START_ATTEMPTS || !await portTaken(error)) throw error;
    }
  }
}

/** Settings of a {@linkcode RedisServer}. */
export interface RedisServerOptions {
  /** Keep an append-only file in `dir` (`appendonly yes`, fsync every write). */
  persistent?: boolean;
  /** Where Redis keeps its files (default: a new temp dir, removed by `stop`). */
  dir?: string;
  port?: number;
  /** More `redis-server` options (TLS, passwords, ACL users), after tq's own. */
  args?: string[];
}

/** A running redis-server. */
export class RedisServer {
  readonly #child: Deno.ChildProcess;
  readonly #ownsDir: boolean;
  readonly port: number;
  readonly dir: string;

  private constructor(child: Deno.ChildProcess, port: number, dir: string, ownsDir: boolean) {
    this.#child = child;
    this.port = port;
    this.dir = dir;
    this.#ownsDir = ownsDir;
  }

  /**
   * Starts a server and resolves once it answers. On a port it picked itself, a start that
   * fails (another process took the port meanwhile) is tried again on a fresh port.
   */
  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    await requireRedisServer();
    return await startOnFreshPorts(
      () => RedisServer.#startOnce(options),
      (error) => options.port === undefined && error instanceof RedisServerStartError,
    );
  }

  /** One spawn of redis-server with `options`, resolved once it answers. */
  static async #startOnce(options: RedisServerOptions): Promise<RedisServer> {
    const dir = options.dir ?? await Deno.makeTempDir({ prefix: "tq-redis-" });
    const port = options.port ?? freePort();
    const persistence = options.persistent
      ? ["--appendonly", "yes", "--appendfsync", "always"]
      : ["--appendonly", "no"];
    const child = new Deno.Command("redis-server", {
      args: [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        ...persistence,
        "--dir",
        dir,
        // Kept in its dir so that a server that exits at start can say why.
        "--logfile",
        `${dir}/redis-server.log`,
        ...options.args ?? [],
      ],
      stdout: "null",
      stderr: "null",
      stdin: "null",
    }).spawn();
    const server = new RedisServer(child, port, dir, options.dir === undefined);
    await server.#ready();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.#child.pid;
  }

  /** Kills it by PID (SIGKILL: no chance to write anything more) and waits for the exit. */
  async kill(): Promise<void> {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await this.#child.status;
  }

  /** For an `unload` handler, which cannot wait: SIGKILL and the temp dir removed. */
  stopNow(): void {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    try {
      if (this.#ownsDir) Deno.removeSync(this.dir, { recursive: true });
    } catch {
      // Already removed by stop().
    }
  }

  /** SIGTERM, the exit, and the temp dir removed if it made one; safe to call again. */
  async stop(): Promise<void> {
    try {
      this.#child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    await this.#child.status;
    if (this.#ownsDir) await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }

  async #ready(): Promise<void> {
    let exitCode: number | undefined;
    this.#child.status.then((status) => exitCode = status.code);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline && exitCode === undefined) {
      if (await this.#answersPing()) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const log = await this.#logTail();
    await this.stop();
    throw new RedisServerStartError(
      exitCode === undefined
        ? `redis-server on port ${this.port} did not answer within ${READY_TIMEOUT_MS} ms${log}`
        : `redis-server on port ${this.port} exited with code ${exitCode} before answering${log}`,
    );
  }

  /**
   * Whether the port answers PING as a Redis server does. The read gives up after a second:
   * whatever else may hold the port can accept a connection and never answer.
   */
  async #answersPing(): Promise<boolean> {
    let conn: Deno.TcpConn;
    try {
      conn = await Deno.connect({ hostname: "127.0.0.1", port: this.port });
    } catch {
      return false; // Not listening yet.
    }
    const giveUp = setTimeout(() => conn.close(), 1_000);
    try {
      await conn.write(new TextEncoder().encode("PING\r\n"));
      const buffer = new Uint8Array(16);
      const n = await conn.read(buffer);
      // A server with a password answers NOAUTH: it is up all the same.
      const answer = new TextDecoder().decode(buffer.subarray(0, n ?? 0));
      return answer.startsWith("+PONG") || answer.startsWith("-NOAUTH");
    } catch {
      return false;
    } finally {
      clearTimeout(giveUp);
      try {
        conn.close();
      } catch {
        // Closed by giveUp.
      }
    }
  }

  /** The last lines redis-server logged, to explain a failed start. */
  async #logTail(): Promise<string> {
    const text = await Deno.readTextFile(`${this.dir}/redis-server.log`).catch(() => "");
    const lines = text.trim().split("\n").slice(-5).join("\n");
    return lines ? `; its log ends:\n${lines}` : "";
  }
}

/** A redis-server that exited or stayed silent at start (a port taken meanwhile, for one). */
export class RedisServerStartError extends Error {
  override name = "RedisServerStartError";
}
