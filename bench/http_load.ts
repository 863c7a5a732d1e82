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
import { TqProcess } from "../tests/integration/tq_process.ts";
import { CONFIG } from "./config.ts";
import { runNode, startNode } from "./node_peer.ts";
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

/** `POST /jobs` against `tq serve` on a fresh store of `peer`. */
export async function tqHttp(peer: TqPeer): Promise<HttpFigures> {
  const store = await peer.fresh();
  const server = TqProcess.start(["serve", "--port", "0", ...store.cliArgs]);
  try {
    return await load(`${await server.url()}/jobs`, { task: "noop", input: {} });
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
