/**
 * What every command does before its own work: load `--env-file`, pick the log level, load
 * `--tasks` when given, and open the store named by `--db` (or `TQ_DB`).
 *
 * @example
 * ```ts ignore
 * const { connection, logger } = await setup(values, { registry, schedules });
 * ```
 * @module
 */
import { connect, type Connection } from "../connect.ts";
import { storeLocation, type StoreOptions } from "../store_options.ts";
import { createLogger, type Logger } from "../log.ts";
import { loadEnvFile, logLevel, UsageError } from "./args.ts";
import { checkStore } from "./store_check.ts";
import type { CliOptions } from "./cli_options.ts";
import { assertStoreExists } from "./store_exists.ts";
import { loadTasks } from "./tasks_module.ts";

/** The common option values, as `parse` returns them. */
export interface CommonValues {
  db?: string;
  redis?: string;
  "redis-cluster"?: string;
  "redis-prefix"?: string;
  "redis-ca-file"?: string;
  postgres?: string;
  "postgres-schema"?: string;
  "env-file"?: string;
  "log-level"?: string;
  tasks?: string;
  "callback-allow"?: string[];
}

/** An open connection and a logger at the chosen level. */
export interface CommandContext {
  connection: Connection;
  logger: Logger;
}

/** How a command uses the store. */
export interface SetupOptions {
  /**
   * A command that only reads (`jobs`, `queues`, `stats`, …) refuses a KV file that does
   * not exist, instead of creating an empty one and answering "nothing" for a mistyped path.
   */
  readOnly?: boolean;
}

/**
 * Applies the common options and connects to the store, with the tasks and schedules of
 * `--tasks` (env `TQ_TASKS`) when given, else those of `tasks`.
 */
export async function setup(
  values: CommonValues,
  tasks: CliOptions,
  options: SetupOptions = {},
): Promise<CommandContext> {
  if (values["env-file"]) loadEnvFile(values["env-file"]);
  const logger = createLogger({ level: logLevel(values["log-level"]) });
  const { registry, schedules } = await loadTasks(values.tasks ?? Deno.env.get("TQ_TASKS"), tasks);
  const store = storeOptions(values);
  const location = storeLocation(store);
  if (options.readOnly && location.kind === "kv") assertStoreExists(location.path);
  const connection = await connect({
    ...store,
    registry,
    callbackAllow: values["callback-allow"],
    schedules,
    logger,
  });
  await checkStore(connection.store, location.kind === "kv" ? location.path : location.kind);
  return { connection, logger };
}

/**
 * The store flags as `connect()` options, left unset when not given so that the
 * environment fills them in one place (`storeLocation`). Two store flags are a usage error.
 *
 * @example
 * ```ts
 * import { storeOptions } from "./setup.ts";
 * console.assert(storeOptions({ redis: "redis://127.0.0.1" }).db === undefined);
 * ```
 */
export function storeOptions(values: CommonValues): StoreOptions {
  assertOneStore(values);
  return {
    db: values.db,
    redis: values.redis,
    redisCluster: values["redis-cluster"],
    redisPrefix: values["redis-prefix"],
    redisCaFile: values["redis-ca-file"],
    postgres: values.postgres,
    postgresSchema: values["postgres-schema"],
  };
}

/** The store flags: at most one of them may be given. */
const STORE_FLAGS = ["db", "redis", "redis-cluster", "postgres"] as const;

/** Throws a `UsageError` when two store flags are given (environment variables aside). */
function assertOneStore(values: CommonValues): void {
  const given = STORE_FLAGS.filter((flag) => values[flag] !== undefined);
  if (given.length > 1) {
    throw new UsageError(
      `${given.map((flag) => `--${flag}`).join(" and ")} name different stores: give one`,
    );
  }
}

/** Resolves with the name of the first SIGINT or SIGTERM received. */
export function untilSignal(): Promise<Deno.Signal> {
  return new Promise((resolve) => {
    const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
    const handlers = signals.map((signal) => {
      const handler = () => {
        signals.forEach((s, i) => Deno.removeSignalListener(s, handlers[i]));
        resolve(signal);
      };
      Deno.addSignalListener(signal, handler);
      return handler;
    });
  });
}
