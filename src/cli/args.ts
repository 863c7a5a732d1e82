/**
 * Command-line parsing shared by every subcommand: `node:util`'s `parseArgs` (built into
 * Deno), durations like `30s`, and the options every command takes (`--db`, `--env-file`,
 * `--log-level`).
 *
 * @example
 * ```ts
 * import { parseDuration } from "./args.ts";
 * console.assert(parseDuration("--lease", "30s") === 30_000);
 * ```
 * @module
 */
import { parseArgs, parseEnv } from "node:util";
import type { LogLevel } from "../log.ts";
import { MAX_AHEAD_MS } from "../input_rules.ts";

/** A mistake on the command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  /** `message` is the whole line printed after `tq: `. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The options every command accepts. */
export const COMMON_OPTIONS = {
  db: { type: "string" },
  redis: { type: "string" },
  "redis-cluster": { type: "string" },
  "redis-prefix": { type: "string" },
  "redis-ca-file": { type: "string" },
  postgres: { type: "string" },
  "postgres-schema": { type: "string" },
  "env-file": { type: "string" },
  "log-level": { type: "string" },
  tasks: { type: "string" },
  "callback-allow": { type: "string", multiple: true },
  help: { type: "boolean", short: "h" },
} as const;

/** Help text for {@linkcode COMMON_OPTIONS}. */
export const COMMON_HELP = `
Common options:
  --db PATH          Deno KV file (env TQ_DB; default ./data/tq.db)
  --redis URL        keep jobs in Redis instead (redis:// or rediss://, env TQ_REDIS_URL)
  --redis-cluster URL,URL,…
                     keep jobs in a Redis Cluster: some of its nodes (env TQ_REDIS_CLUSTER)
  --redis-prefix P   key prefix in Redis (env TQ_REDIS_PREFIX; default tq, on a cluster {tq})
  --redis-ca-file F  CA (PEM) of a rediss:// server's certificate (env TQ_REDIS_CA_FILE)
  --postgres URL     keep jobs in PostgreSQL instead (postgres://, env TQ_POSTGRES_URL)
  --postgres-schema NAME
                     the schema of tq's tables (env TQ_POSTGRES_SCHEMA; default tq)
  --env-file PATH    load environment variables from a file first (existing ones win)
  --log-level LEVEL  debug | info | warn | error (env TQ_LOG_LEVEL; default info)
  --tasks PATH       load the tasks from a module exporting "registry", and its
                     "schedules" when it exports them (env TQ_TASKS; default the
                     tasks this tq was started with)
  --callback-allow HOST|CIDR  let callbacks reach this internal host or network (repeatable;
                     env TQ_CALLBACK_ALLOW, comma-separated); none by default
  -h, --help         show this help`;

type OptionSpec = Record<
  string,
  { type: "string" | "boolean"; short?: string; multiple?: boolean }
>;

/**
 * Parses `args` against `options` (plus the common ones), turning parse failures into
 * `UsageError`s that name the command.
 */
export function parse<O extends OptionSpec>(command: string, args: string[], options: O) {
  try {
    return parseArgs({
      args,
      options: { ...COMMON_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${command}: ${(error as Error).message} (see 'tq ${command} --help')`);
  }
}

/**
 * Loads `KEY=value` lines from `path` into the environment, without overriding variables
 * that are already set (as Deno's own `--env-file` does).
 */
export function loadEnvFile(path: string): void {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    throw new UsageError(`--env-file: cannot read ${path}: ${(error as Error).message}`);
  }
  for (const [key, value] of Object.entries(parseEnv(text))) {
    if (Deno.env.get(key) === undefined) Deno.env.set(key, value as string);
  }
}

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A duration in ms from `500ms`, `30s`, `5m`, `2h`, `7d`, or a bare number of `bareUnit`.
 *
 * @example
 * ```ts
 * import { parseDuration } from "./args.ts";
 * console.assert(parseDuration("--shutdown-timeout", "25") === 25_000);
 * ```
 */
export function parseDuration(option: string, text: string, bareUnit = "s"): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) throw new UsageError(`${option}: "${text}" is not a duration (e.g. 500ms, 30s, 5m)`);
  const ms = Math.round(Number(match[1]) * UNITS[match[2] ?? bareUnit]);
  if (!(ms <= MAX_AHEAD_MS)) throw new UsageError(`${option}: "${text}" is over 10 years`);
  return ms;
}

/**
 * A duration as a person writes it, in the largest unit that divides it (the inverse of
 * {@linkcode parseDuration}), for defaults shown in help texts.
 *
 * @example
 * ```ts
 * import { showDuration } from "./args.ts";
 * console.assert(showDuration(604_800_000) === "7d" && showDuration(1_500) === "1500ms");
 * ```
 */
export function showDuration(ms: number): string {
  const [unit, size] = Object.entries(UNITS).reverse().find(([, size]) => ms % size === 0)!;
  return `${ms / size}${unit}`;
}

/** A whole number within `[min, max]`, or a `UsageError` naming the option. */
export function parseInteger(option: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${option}: "${text}" must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/** The log level from `--log-level` or `TQ_LOG_LEVEL`. */
export function logLevel(text = Deno.env.get("TQ_LOG_LEVEL") ?? "info"): LogLevel {
  if (!["debug", "info", "warn", "error"].includes(text)) {
    throw new UsageError(`--log-level: "${text}" must be debug, info, warn or error`);
  }
  return text as LogLevel;
}
