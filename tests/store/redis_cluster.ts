/**
 * A real Redis Cluster for tests: six `redis-server --cluster-enabled yes` on 127.0.0.1
 * (three primaries, three replicas), joined by `redis-cli --cluster create`, each in its own
 * directory of one temp dir, stopped by PID; a node can be killed and started again. The
 * cluster bus listens on port + 10000, so the ports are picked in 10000-22767 with both free:
 * that keeps the bus ports below Linux's ephemeral range (32768 up), where any outgoing
 * connection of a parallel test could take one between the check and the bind. Without
 * redis-server and redis-cli it fails loudly.
 *
 * @example
 * ```ts ignore
 * const cluster = await RedisCluster.start();
 * const store = await openRedisClusterStore(cluster.urls, { prefix: "{t1}" });
 * await cluster.stop();
 * ```
 * @module
 */
import {
  RedisServer,
  RedisServerStartError,
  requireRedisServer,
  startOnFreshPorts,
} from "./redis_server.ts";

/** How long the six nodes may take to agree on every slot. */
const READY_TIMEOUT_MS = 20_000;

/** Settings of a {@linkcode RedisCluster}. */
export interface RedisClusterOptions {
  /**
   * How long a primary may be unreachable before its replica takes over
   * (`cluster-node-timeout`, default 1,000 ms: failovers in a test take 1-3 s).
   */
  nodeTimeoutMs?: number;
}

/** Whether a TCP port on 127.0.0.1 can be listened on now. */
function isFree(port: number): boolean {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    return true;
  } catch {
    return false;
  }
}

/** `count` ports in 10000-22767 whose cluster bus ports (+10000) are free too. */
function freeClusterPorts(count: number): number[] {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 10_000 + Math.floor(Math.random() * 1_270) * 10;
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if (ports.every((port) => isFree(port) && isFree(port + 10_000))) return ports;
  }
  throw new Error("no run of free ports (and bus ports) found in 20000-45535");
}

/** Runs `redis-cli` with `args`; its output, or an error with what it said. */
export async function redisCli(...args: string[]): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command("redis-cli", {
    args,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).output();
  const out = new TextDecoder().decode(stdout);
  if (code !== 0) {
    throw new Error(`redis-cli ${args.join(" ")}: ${out}${new TextDecoder().decode(stderr)}`);
  }
  return out;
}

/** Six running nodes that form one cluster. */
export class RedisCluster {
  /** Every node, in port order; a node a test stopped stays listed until restarted. */
  readonly nodes: RedisServer[];
  readonly #dir: string;
  readonly #nodeTimeoutMs: number;

  private constructor(nodes: RedisServer[], dir: string, nodeTimeoutMs: number) {
    this.nodes = nodes;
    this.#dir = dir;
    this.#nodeTimeoutMs = nodeTimeoutMs;
  }

  /** Starts six nodes, creates the cluster and resolves once every node is ready. */
  static async start(options: RedisClusterOptions = {}): Promise<RedisCluster> {
    await requireRedisServer();
    await redisCli("--version").catch(() => {
      throw new Error("redis-cli is not installed: apt-get install -y redis-tools");
    });
    return await startOnFreshPorts(
      () => RedisCluster.#startOn(freeClusterPorts(6), options),
      (error) => error instanceof RedisServerStartError,
    );
  }

  /** Six nodes on `ports`, joined into one cluster; all stopped again if any step fails. */
  static async #startOn(ports: number[], options: RedisClusterOptions): Promise<RedisCluster> {
    const dir = await Deno.makeTempDir({ prefix: "tq-redis-cluster-" });
    const cluster = new RedisCluster([], dir, options.nodeTimeoutMs ?? 1_000);
    try {
      for (const port of ports) cluster.nodes.push(await cluster.#startNode(port));
      await redisCli(
        "--cluster",
        "create",
        ...ports.map((port) => `127.0.0.1:${port}`),
        "--cluster-replicas",
        "1",
        "--cluster-yes",
      );
      await cluster.waitUntilOk();
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** A node on `port`, in a directory of its own that outlives it (for a restart). */
  async #startNode(port: number): Promise<RedisServer> {
    const dir = `${this.#dir}/${port}`;
    await Deno.mkdir(dir, { recursive: true });
    return await RedisServer.start({
      port,
      dir,
      persistent: true,
      args: [
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        `nodes-${port}.conf`,
        "--cluster-node-timeout",
        String(this.#nodeTimeoutMs),
        // A replica whose primary died a moment ago may take over at once.
        "--cluster-replica-validity-factor",
        "0",
        "--appendfsync",
        "everysec",
        // A replica's first sync starts at once, not after the default 5 s wait for others.
        "--repl-diskless-sync-delay",
        "0",
      ],
    });
  }

  /** Kills the node on `port` (SIGKILL: a crash) and waits for it to exit. */
  async kill(port: number): Promise<void> {
    await this.node(port).kill();
  }

  /**
   * Starts the node on `port` again with its files: it rejoins the cluster, as a replica if
   * its replica took over meanwhile. Resolves once every node is ready.
   */
  async restart(port: number): Promise<void> {
    const i = this.nodes.findIndex((node) => node.port === port);
    this.nodes[i] = await this.#startNode(port);
    await this.waitUntilOk();
  }

  /** `redis://127.0.0.1:<port>` of every node, as `--redis-cluster` takes them. */
  get urls(): string[] {
    return this.nodes.map((node) => node.url);
  }

  /**
   * Resolves once each of `nodes` reports `cluster_state:ok` and, if it is a replica, has
   * finished its first sync with its primary (until then `WAIT` counts it out).
   */
  async waitUntilOk(nodes: RedisServer[] = this.nodes): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (const node of nodes) {
      while (true) {
        const port = String(node.port);
        const info = await redisCli("-p", port, "cluster", "info").catch(() => "");
        const replication = await redisCli("-p", port, "info", "replication").catch(() => "");
        const synced = replication.includes("role:master") ||
          replication.includes("master_link_status:up") &&
            replication.includes("master_sync_in_progress:0");
        if (info.includes("cluster_state:ok") && synced) break;
        if (Date.now() > deadline) {
          throw new Error(`node ${node.port}: cluster not ok within ${READY_TIMEOUT_MS} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  /** The port of the primary that serves `key`'s slot, as `node` sees the cluster. */
  async primaryOf(key: string, node: RedisServer = this.nodes[0]): Promise<number> {
    const port = String(node.port);
    const slot = Number(await redisCli("-p", port, "cluster", "keyslot", key));
    // "<id> <ip:port@bus> <flags> <primary> … <slot ranges>", one line per node.
    for (const line of (await redisCli("-p", port, "cluster", "nodes")).trim().split("\n")) {
      const [, address, flags, , , , , , ...ranges] = line.split(" ");
      if (!flags.includes("master") || flags.includes("fail")) continue;
      for (const range of ranges) {
        const [first, last = first] = range.split("-").map(Number);
        if (slot >= first && slot <= last) return Number(address.split(/[:@]/)[1]);
      }
    }
    throw new Error(`no primary serves the slot of ${key}`);
  }

  /** The port of a replica of the primary on `primaryPort`, as that primary sees it. */
  async replicaOf(primaryPort: number): Promise<number> {
    const port = String(primaryPort);
    const id = (await redisCli("-p", port, "cluster", "myid")).trim();
    for (const line of (await redisCli("-p", port, "cluster", "nodes")).trim().split("\n")) {
      const [, address, flags, primary] = line.split(" ");
      if (flags.includes("slave") && primary === id) return Number(address.split(/[:@]/)[1]);
    }
    throw new Error(`the primary on port ${primaryPort} has no replica`);
  }

  /** The node listening on `port`. */
  node(port: number): RedisServer {
    const node = this.nodes.find((n) => n.port === port);
    if (!node) throw new Error(`no node on port ${port}`);
    return node;
  }

  /** For an `unload` handler: every node killed, the temp dir removed. */
  stopNow(): void {
    for (const node of this.nodes) node.stopNow();
    try {
      Deno.removeSync(this.#dir, { recursive: true });
    } catch {
      // Already removed by stop().
    }
  }

  /** Stops every node (SIGTERM) and removes the temp dir. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop()));
    await Deno.remove(this.#dir, { recursive: true }).catch(() => {});
  }
}
