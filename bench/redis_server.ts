/**
 * A throwaway `redis-server` for the benchmark: on a free loopback port, in a temp dir,
 * without persistence (`save ""`, `appendonly no`), so tq and BullMQ are measured on the
 * same server doing the same work, and the disk is no part of either figure.
 *
 * @example
 * ```ts ignore
 * const redis = await RedisServer.start();
 * console.log(redis.url, await redis.info("memory"));
 * await redis.stop();
 * ```
 * @module
 */
import { Redis } from "ioredis";

/** A free TCP port on 127.0.0.1, as the OS hands it out. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** A `redis-server` child process and a client to it. */
export class RedisServer {
  readonly url: string;
  readonly #child: Deno.ChildProcess;
  readonly #dir: string;
  readonly #client: Redis;

  private constructor(child: Deno.ChildProcess, dir: string, port: number) {
    this.#child = child;
    this.#dir = dir;
    this.url = `redis://127.0.0.1:${port}`;
    this.#client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  }

  /** Starts the server and resolves once the client is connected. */
  static async start(): Promise<RedisServer> {
    const dir = await Deno.makeTempDir({ prefix: "tq-bench-redis-" });
    const port = freePort();
    const child = new Deno.Command("redis-server", {
      args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      cwd: dir,
      stdout: "null",
      stderr: "null",
    }).spawn();
    const server = new RedisServer(child, dir, port);
    // Wait for the port before the client connects: ioredis would retry on its own, noisily.
    for (let i = 0; i < 100; i++) {
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port })).close();
        await server.#client.connect();
        return server;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    await server.stop();
    throw new Error("redis-server did not listen within 5 s");
  }

  /** Deletes every key, so each peer starts from an empty server. */
  async flush(): Promise<void> {
    await this.#client.flushall();
  }

  /** Bytes of memory Redis uses for data (`used_memory`). */
  async usedMemory(): Promise<number> {
    const info = await this.#client.info("memory");
    return Number(info.match(/used_memory:(\d+)/)![1]);
  }

  /** Stops the server (by its pid) and removes its folder. */
  async stop(): Promise<void> {
    this.#client.disconnect();
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await this.#child.status;
    await Deno.remove(this.#dir, { recursive: true });
  }
}
