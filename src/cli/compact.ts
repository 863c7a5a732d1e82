/**
 * `tq compact`: shrinks a Deno KV file to its live size. A KV file is SQLite, which keeps
 * the pages of deleted entries for reuse rather than giving them back: after a large prune
 * (50,000 jobs, say) the file stays as big as it ever was. This rewrites the file (through
 * `node:sqlite`) with only the live rows: entries, their expiries and the KV queue intact.
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
import { storeLocation } from "../store_options.ts";
import { storeOptions } from "./setup.ts";
import { COMMON_HELP, loadEnvFile, parse, UsageError } from "./args.ts";

/** Help of `tq compact`. */
export const COMPACT_HELP = `Usage: tq compact [--db PATH]

Shrinks the Deno KV file to its live size (a copy of the live rows): deleted and pruned jobs leave
free pages behind that the file never gives back. Stop every tq process using the file
first: compact refuses while another process has it open. Run it after large prunes or
when the file is much bigger than its jobs; it does not apply to Redis or PostgreSQL.
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
 * SQLite's own `VACUUM` needs ATTACH, which Deno's `node:sqlite` allows only to programs
 * run with every permission; so the live rows are copied, table by table, into a new file
 * beside it (same schema, same values, expiries, versionstamps and KV queue), which then
 * replaces it while the old file is still locked.
 *
 * @example
 * ```ts ignore
 * const { before, after } = compactKvFile("./data/tq.db");
 * ```
 */
export function compactKvFile(path: string): Compacted {
  const before = fileSize(path);
  const copyPath = `${path}.compact-${Deno.pid}`;
  const old = new DatabaseSync(path);
  try {
    lockAlone(old, path);
    old.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    old.exec("PRAGMA journal_mode = DELETE"); // No WAL file is left beside the old file.
  } catch (error) {
    old.close();
    throw error;
  }
  try {
    Deno.removeSync(copyPath); // Left by a compaction that was killed.
  } catch {
    // None.
  }
  try {
    copyRows(old, copyPath);
    const mode = Deno.statSync(path).mode;
    // Keep who may read it (POSIX only).
    if (mode !== null && Deno.build.os !== "windows") Deno.chmodSync(copyPath, mode & 0o777);
    // Replaced while the old file is still locked: no process can have opened it since.
    Deno.renameSync(copyPath, path);
  } catch (error) {
    Deno.removeSync(copyPath);
    throw error;
  } finally {
    old.close();
  }
  return { before, after: fileSize(path) };
}

/** Takes the file's exclusive lock, or throws {@linkcode FileInUseError}. */
function lockAlone(db: DatabaseSync, path: string): void {
  db.exec("PRAGMA busy_timeout = 0");
  // In exclusive locking mode SQLite locks the file itself instead of the WAL's shared
  // memory, and keeps the lock until closed: refused while any other process has it open.
  db.exec("PRAGMA locking_mode = EXCLUSIVE");
  try {
    db.exec("BEGIN EXCLUSIVE");
    db.exec("COMMIT");
  } catch (error) {
    throw new FileInUseError(
      `${path} is open in another process (${(error as Error).message}): stop tq first`,
    );
  }
}

/** Copies the schema and rows of `from` into a new database at `to`. */
function copyRows(from: DatabaseSync, to: string): void {
  const copy = new DatabaseSync(to);
  try {
    const pragma = (name: string) =>
      Object.values(from.prepare(`PRAGMA ${name}`).get() ?? {})[0] as number;
    copy.exec(`PRAGMA page_size = ${Number(pragma("page_size"))}`);
    copy.exec(`PRAGMA user_version = ${Number(pragma("user_version"))}`);
    const schema = from.prepare(
      "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type = 'index'",
    ).all() as { type: string; name: string; sql: string }[];
    copy.exec("BEGIN");
    for (const { type, name, sql } of schema) {
      copy.exec(sql);
      if (type !== "table") continue;
      const read = from.prepare(`SELECT * FROM "${name}"`);
      read.setReadBigInts(true);
      const columns = read.columns().map((c) => `"${c.name}"`);
      const write = copy.prepare(
        `INSERT INTO "${name}" (${columns.join(", ")}) VALUES (${
          columns.map(() => "?").join(", ")
        })`,
      );
      for (const row of read.iterate()) {
        write.run(...(Object.values(row as Record<string, never>)));
      }
    }
    copy.exec("COMMIT");
    copy.exec("PRAGMA journal_mode = WAL");
  } finally {
    copy.close();
  }
}

function fileSize(path: string): number {
  let total = 0;
  for (const file of [path, `${path}-wal`]) {
    try {
      total += Deno.statSync(file).size;
    } catch {
      // No WAL file.
    }
  }
  return total;
}

function humanSize(bytes: number): string {
  if (bytes < 1_048_576) return `${Math.ceil(bytes / 1024)} KB`;
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
  const location = storeLocation(storeOptions(values));
  if (location.kind === "redis" || location.kind === "redis-cluster") {
    throw new UsageError("compact: only a Deno KV file is compacted; Redis frees memory itself");
  }
  if (location.kind === "postgres") {
    throw new UsageError(
      "compact: only a Deno KV file is compacted; on PostgreSQL, autovacuum frees space " +
        "(or run VACUUM FULL on tq's schema)",
    );
  }
  const path = location.path;
  try {
    Deno.statSync(path);
  } catch {
    throw new UsageError(`compact: no KV file at ${path}`);
  }
  try {
    const { before, after } = compactKvFile(path);
    console.log(`compacted ${path}: ${humanSize(before)} -> ${humanSize(after)}`);
    return Promise.resolve(0);
  } catch (error) {
    if (!(error instanceof FileInUseError)) throw error;
    console.error(`tq: compact: ${error.message}`);
    return Promise.resolve(1);
  }
}
