/**
 * `tq compact`: shrinks a Deno KV file to its live size. A KV file is SQLite, which keeps
 * the pages of deleted entries for reuse rather than giving them back: after a large prune
 * (50,000 jobs, say) the file stays as big as it ever was. This runs SQLite's `VACUUM` on
 * it (through `node:sqlite`), which rewrites the file with only the live entries, their
 * expiries and the KV queue intact.
 *
 * It needs the file to itself: it takes an exclusive lock first and refuses, changing
 * nothing, while any other process (tq start, serve, worker, cron) has the file open. Run
 * it with tq stopped, e.g. during a deploy, after a large prune or when the file has grown
 * well beyond what `tq queues` counts. While it runs, tq processes cannot open the file.
 *
 * @example
 * ```ts ignore
 * await compactCommand(["--db", "./data/tq.db"]);
 * ```
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { DEFAULT_DB } from "../connect.ts";
import { COMMON_HELP, loadEnvFile, parse, UsageError } from "./args.ts";

/** Help of `tq compact`. */
export const COMPACT_HELP = `Usage: tq compact [--db PATH]

Shrinks the Deno KV file to its live size (SQLite VACUUM): deleted and pruned jobs leave
free pages behind that the file never gives back. Stop every tq process using the file
first: compact refuses while another process has it open. Run it after large prunes or
when the file is much bigger than its jobs; it does not apply to Redis.
${COMMON_HELP}`;

/** What a compaction did. */
export interface Compacted {
  before: number;
  after: number;
}

/** Thrown when another process has the file open: nothing was changed. */
export class FileInUseError extends Error {}

/**
 * Compacts the KV file at `path`; throws {@linkcode FileInUseError} when another process
 * has it open.
 *
 * @example
 * ```ts ignore
 * const { before, after } = compactKvFile("./data/tq.db");
 * ```
 */
export function compactKvFile(path: string): Compacted {
  const size = () => {
    const main = Deno.statSync(path).size;
    try {
      return main + Deno.statSync(`${path}-wal`).size;
    } catch {
      return main;
    }
  };
  const before = size();
  const db = new DatabaseSync(path);
  try {
    db.exec("PRAGMA busy_timeout = 0");
    // In exclusive locking mode SQLite locks the file itself instead of the WAL's shared
    // memory: the lock is refused while any other connection (any tq process) holds it.
    db.exec("PRAGMA locking_mode = EXCLUSIVE");
    try {
      db.exec("BEGIN EXCLUSIVE");
      db.exec("COMMIT");
    } catch (error) {
      throw new FileInUseError(
        `${path} is open in another process (${(error as Error).message}): stop tq first`,
      );
    }
    db.exec("VACUUM");
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
  return { before, after: size() };
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

/** Runs `tq compact`. */
export function compactCommand(args: string[]): Promise<number> {
  const { values } = parse("compact", args, {});
  if (values.help) {
    console.log(COMPACT_HELP);
    return Promise.resolve(0);
  }
  if (values["env-file"]) loadEnvFile(values["env-file"]);
  if (values.redis ?? Deno.env.get("TQ_REDIS_URL")) {
    throw new UsageError("compact: only a Deno KV file is compacted; Redis frees memory itself");
  }
  const path = values.db ?? Deno.env.get("TQ_DB") ?? DEFAULT_DB;
  try {
    Deno.statSync(path);
  } catch {
    throw new UsageError(`compact: no KV file at ${path}`);
  }
  try {
    const { before, after } = compactKvFile(path);
    console.log(`compacted ${path}: ${megabytes(before)} -> ${megabytes(after)}`);
    return Promise.resolve(0);
  } catch (error) {
    if (!(error instanceof FileInUseError)) throw error;
    console.error(`tq: compact: ${error.message}`);
    return Promise.resolve(1);
  }
}
