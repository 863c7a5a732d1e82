/**
 * The stores that `tq` processes of an end-to-end test share, as command-line flags: a KV
 * file in a temp dir, or a private PostgreSQL cluster (`../store/postgres_server.ts`,
 * imported only when asked for). Each comes with a temp dir for the test's own files.
 *
 * @example
 * ```ts ignore
 * for (const [name, open] of Object.entries(PROCESS_STORES)) {
 *   Deno.test(`[${name}] …`, async () => {
 *     const store = await open();
 *     TqProcess.start(["worker", ...store.args]);
 *     await store.cleanup();
 *   });
 * }
 * ```
 * @module
 */
import { tempDb } from "./tq_process.ts";

/** A store for processes: the flags naming it, a temp dir, and how to dispose of both. */
export interface ProcessStore {
  args: string[];
  dir: string;
  cleanup(): Promise<void>;
}

/** Every store the process tests run on, by name. */
export const PROCESS_STORES: Record<string, () => Promise<ProcessStore>> = {
  kv: async () => {
    const { db, dir, cleanup } = await tempDb();
    return { args: ["--db", db], dir, cleanup };
  },
  postgres: async () => {
    const { PostgresServer } = await import("../store/postgres_server.ts");
    const server = await PostgresServer.start();
    const { dir, cleanup } = await tempDb();
    return {
      args: ["--postgres", server.url, "--postgres-schema", "it"],
      dir,
      async cleanup() {
        await server.stop();
        await cleanup();
      },
    };
  },
};
