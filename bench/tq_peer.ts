/**
 * tq on one backend, as the benchmark sees it: a fresh, empty store for each case, the
 * options that connect to it in process and the CLI arguments that point `tq worker` and
 * `tq serve` at it, and how much it holds (KV file bytes, Redis's used memory, or the size
 * of a PostgreSQL schema's tables).
 *
 * @example
 * ```ts ignore
 * const store = await kvPeer.fresh();
 * const tq = await connect({ registry, ...store.connect });
 * await store.cleanup();
 * ```
 * @module
 */
import { registry } from "../tasks/mod.ts";
import { connect, type Connection } from "../src/connect.ts";
import type { Job } from "../src/job.ts";
import { tempDb } from "../tests/integration/tq_process.ts";
import type { RedisServer } from "./redis_server.ts";
import postgres from "postgres";
import type { PostgresServer } from "../tests/store/postgres_server.ts";

/** One empty store for one case. */
export interface FreshStore {
  /** Options of `connect()`. */
  connect: { db?: string; redis?: string; postgres?: string; postgresSchema?: string };
  /** Arguments that point a `tq` command at it. */
  cliArgs: string[];
  /** Bytes it takes: the KV file with its WAL, Redis's `used_memory`, or the schema's tables. */
  bytes(): Promise<number>;
  cleanup(): Promise<void>;
}

/** A backend tq runs on. */
export interface TqPeer {
  name: string;
  fresh(): Promise<FreshStore>;
}

/** tq on a Deno KV file in a temp dir. */
export const kvPeer: TqPeer = {
  name: "tq KV",
  async fresh() {
    const { db, cleanup } = await tempDb();
    const size = async (path: string) => {
      try {
        return (await Deno.stat(path)).size;
      } catch {
        return 0;
      }
    };
    return {
      connect: { db },
      cliArgs: ["--db", db],
      async bytes() {
        const sizes = await Promise.all(["", "-wal", "-shm"].map((end) => size(db + end)));
        return sizes.reduce((a, b) => a + b, 0);
      },
      cleanup,
    };
  },
};

/** tq on the benchmark's redis-server (flushed for each case). */
export function redisPeer(server: RedisServer): TqPeer {
  return {
    name: "tq Redis",
    async fresh() {
      await server.flush();
      return {
        connect: { redis: server.url },
        cliArgs: ["--redis", server.url],
        bytes: () => server.usedMemory(),
        cleanup: () => server.flush(),
      };
    },
  };
}

/** tq on a private PostgreSQL cluster: a new schema for each case, dropped after it. */
export function postgresPeer(server: PostgresServer): TqPeer {
  return {
    name: "tq PostgreSQL",
    fresh() {
      const schema = server.freshSchema();
      const admin = () => postgres(server.url, { max: 1, onnotice: () => {} });
      return Promise.resolve({
        connect: { postgres: server.url, postgresSchema: schema },
        cliArgs: ["--postgres", server.url, "--postgres-schema", schema],
        async bytes() {
          const sql = admin();
          try {
            const [row] = await sql`
              SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS bytes
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = ${schema} AND c.relkind = 'r'`;
            return Number(row.bytes);
          } finally {
            await sql.end();
          }
        },
        async cleanup() {
          const sql = admin();
          try {
            await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          } finally {
            await sql.end();
          }
        },
      });
    },
  };
}

/** Opens a connection to a fresh store with the example tasks. */
export function open(store: FreshStore): Promise<Connection> {
  return connect({ registry, ...store.connect });
}

/**
 * Enqueues `total` jobs of the no-op task (waiting `sleepMs` when given) in the store's
 * largest batches, `lanes` batches in flight.
 */
export async function fill(tq: Connection, total: number, sleepMs = 0, lanes = 2): Promise<void> {
  const input = sleepMs ? { sleep_ms: sleepMs } : {};
  let next = 0;
  const lane = async () => {
    while (next < total) {
      const size = Math.min(tq.store.maxInsertBatch, total - next);
      next += size;
      await tq.producer.enqueueMany(Array.from({ length: size }, () => ({ task: "noop", input })));
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
}

/** How many jobs of the `default` queue are finished. */
export async function finishedCount(tq: Connection): Promise<number> {
  const counts = await tq.store.queueCounts();
  return counts.find((c) => c.name === "default")?.finished ?? 0;
}

/** The finished jobs of the `default` queue, listed a page at a time. */
export async function finishedJobs(tq: Connection): Promise<Job[]> {
  const jobs: Job[] = [];
  let cursor: string | undefined;
  do {
    const page = await tq.store.jobList({
      queue: "default",
      state: "finished",
      limit: 1_000,
      cursor,
    });
    jobs.push(...page.jobs);
    cursor = page.nextCursor;
  } while (cursor);
  return jobs;
}
