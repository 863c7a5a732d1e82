/**
 * What every command does before its own work: load `--env-file`, pick the log level and
 * open the store named by `--db` (or `TQ_DB`).
 *
 * @example
 * ```ts ignore
 * const { connection, logger } = await setup(values);
 * ```
 * @module
 */
import { registry, schedules } from "../../tasks/mod.ts";
import { connect, type Connection, DEFAULT_DB } from "../connect.ts";
import { createLogger, type Logger } from "../log.ts";
import { loadEnvFile, logLevel } from "./args.ts";
import { checkStore } from "./store_check.ts";
import { loadRegistry } from "./tasks_module.ts";

/** The common option values, as `parse` returns them. */
export interface CommonValues {
  db?: string;
  redis?: string;
  "redis-prefix"?: string;
  "redis-ca-file"?: string;
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

/** Applies the common options and connects to the store. */
export async function setup(values: CommonValues): Promise<CommandContext> {
  if (values["env-file"]) loadEnvFile(values["env-file"]);
  const logger = createLogger({ level: logLevel(values["log-level"]) });
  const tasks = await loadRegistry(values.tasks ?? Deno.env.get("TQ_TASKS"), registry);
  // The bundled schedules name bundled tasks: a registry from --tasks runs without them.
  const connection = await connect({
    registry: tasks,
    db: values.db,
    redis: values.redis,
    redisPrefix: values["redis-prefix"],
    redisCaFile: values["redis-ca-file"],
    callbackAllow: values["callback-allow"],
    schedules: tasks === registry ? schedules : [],
    logger,
  });
  await checkStore(connection.store, values.db ?? Deno.env.get("TQ_DB") ?? DEFAULT_DB);
  return { connection, logger };
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
