/**
 * HTTP enqueue under load: autocannon (bench/bullmq/load.mjs) POSTs a no-op job to
 * `tq serve` on each backend and to the BullMQ peer server (node:http + `queue.add`),
 * with the same connections and duration.
 *
 * @example
 * ```ts ignore
 * const { rps, p99 } = await tqHttp(kvPeer);
 * ```
 * @module
 */
import { eventually, TQ_ARGS } from "../tests/integration/tq_process.ts";
import { CONFIG } from "./config.ts";
import { runNode, startNode } from "./node_peer.ts";
import { freePort } from "./redis_server.ts";
import type { TqPeer } from "./tq_peer.ts";

/** What the load generator reports. */
export interface HttpFigures {
  /** 2xx answers per second. */
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

function load(url: string, body: unknown): Promise<HttpFigures> {
  return runNode<HttpFigures>("load.mjs", {
    url,
    body: JSON.stringify(body),
    connections: CONFIG.httpConnections,
    seconds: CONFIG.httpSeconds,
  });
}

/**
 * `tq serve` on a free port, at the default log level (a `job:enqueued` line a request); its
 * lines go to /dev/null, as the worker cases' do: read by the bench, which parsed each one,
 * they took the cores from the server and the load generator, a cost the BullMQ peer, which
 * logs nothing, never paid. Resolves with its URL once it accepts connections.
 */
async function serveAsUsersRunIt(storeArgs: string[]) {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: [...TQ_ARGS, "serve", "--port", String(port), ...storeArgs],
    cwd: new URL("../", import.meta.url),
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const stop = () => {
    child.kill("SIGTERM");
    return child.status;
  };
  const accepts = async () => {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return true;
    } catch {
      return false;
    }
  };
  try {
    await eventually(accepts, 30_000, `tq serve to listen on port ${port}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, stop };
}

/** `POST /jobs` against `tq serve` on a fresh store of `peer`. */
export async function tqHttp(peer: TqPeer): Promise<HttpFigures> {
  const store = await peer.fresh();
  const server = await serveAsUsersRunIt(store.cliArgs);
  try {
    return await load(`${server.url}/jobs`, { task: "noop", input: {} });
  } finally {
    await server.stop();
    await store.cleanup();
  }
}

/** `POST /jobs` against the BullMQ peer server on `redisUrl`. */
export async function bullmqHttp(redisUrl: string): Promise<HttpFigures> {
  const server = await startNode<{ port: number }>("http_server.mjs", { url: redisUrl });
  try {
    return await load(`http://127.0.0.1:${server.first.port}/jobs`, { task: "noop", input: {} });
  } finally {
    await server.stop();
  }
}
