/**
 * Structured logs: one JSON line per event on stderr, with a `noun:verb` event name
 * (`job:started`, `worker:stopped`), or a short human line when stderr is a terminal.
 *
 * @example
 * ```ts
 * import { createLogger } from "./log.ts";
 * const log = createLogger({ level: "info", format: "json", write: () => {} });
 * log.info("job:finished", { job_id: "01J", duration_ms: 12 });
 * ```
 * @module
 */

/** Severity, lowest first. */
export type LogLevel = "debug" | "info" | "warn" | "error";
/** `json` for machines, `pretty` for a person at a terminal. */
export type LogFormat = "json" | "pretty";

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Writes events at or above its level. */
export interface Logger {
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `fields` to every line. */
  with(fields: Record<string, unknown>): Logger;
}

/** How to build a logger; every field has a default. */
export interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  /** Where lines go (stderr). */
  write?: (line: string) => void;
}

const encoder = new TextEncoder();

/**
 * Lines logged since the current task began: they go out in one write from the next task,
 * once this task and its microtasks have run (a burst such as a group commit's
 * `job:enqueued` lines, or the start and end lines of a claim's jobs, is one system call;
 * flushing after the first line's microtask wrote a worker's lines about four at a time),
 * sooner when {@linkcode FLUSH_CHARS} are waiting; and at exit (`Deno.exit()` dispatches
 * `unload`) and at a crash (an uncaught error or unhandled rejection, before the process
 * ends). Order is kept.
 */
const unwritten: string[] = [];
let unwrittenChars = 0;

/** Waiting lines past this many characters are written at once, not from the next task. */
const FLUSH_CHARS = 64 * 1024;

function writeUnwritten(): void {
  if (unwritten.length === 0) return;
  const bytes = encoder.encode(unwritten.join(""));
  unwritten.length = 0;
  unwrittenChars = 0;
  for (let done = 0; done < bytes.length;) done += Deno.stderr.writeSync(bytes.subarray(done));
}

function stderrWrite(line: string): void {
  const first = unwritten.push(line + "\n") === 1;
  unwrittenChars += line.length + 1;
  if (unwrittenChars >= FLUSH_CHARS) writeUnwritten();
  else if (first) setImmediate(writeUnwritten);
}

for (const end of ["unload", "error", "unhandledrejection"]) {
  globalThis.addEventListener(end, writeUnwritten);
}

/** The ISO time of the last line, kept for the lines of the same millisecond. */
let lastMs = NaN;
let lastIso = "";

function isoNow(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/** Keys a line sets before the bound fields: a field of that name moves in place instead. */
const LINE_KEYS = new Set(["time", "level", "event"]);

/** `JSON.stringify` orders integer-like keys first, so a fast line cannot hold them. */
const INDEX_LIKE = /^(0|[1-9]\d*)$/;

/** Whether a line of `fields` may be built from the strings (see {@linkcode jsonLine}). */
function joinable(bound: Record<string, unknown>, fields: Record<string, unknown>): boolean {
  for (const key in fields) {
    if (LINE_KEYS.has(key) || Object.hasOwn(bound, key) || INDEX_LIKE.test(key)) return false;
  }
  return true;
}

/**
 * The JSON line of an event, byte for byte `JSON.stringify({ time, level, event, ...bound,
 * ...fields })`, built without that object when it can: the bound fields are stringified once
 * per logger (`boundJson`, undefined when one of them would move) and only `fields` per line.
 * A key that would move, to the place of a key before it (one of the line's or a bound one)
 * or to the front (an integer-like key), takes the object's way.
 */
function jsonLine(
  at: LogLevel,
  event: string,
  bound: Record<string, unknown>,
  boundJson: string | undefined,
  fields: Record<string, unknown>,
): string {
  if (boundJson === undefined || !joinable(bound, fields)) {
    return JSON.stringify({ time: isoNow(), level: at, event, ...bound, ...fields });
  }
  const own = JSON.stringify(fields);
  return `{"time":"${isoNow()}","level":"${at}","event":${JSON.stringify(event)}${boundJson}${
    own.length > 2 ? "," + own.slice(1, -1) : ""
  }}`;
}

/**
 * A logger; the format defaults to `pretty` when stderr is a terminal, else `json`.
 *
 * @example
 * ```ts
 * import { createLogger } from "./log.ts";
 * const lines: string[] = [];
 * createLogger({ format: "json", write: (l) => lines.push(l) }).warn("store:slow");
 * console.assert(JSON.parse(lines[0]).event === "store:slow");
 * ```
 */
export function createLogger(options: LoggerOptions = {}, bound: Record<string, unknown> = {}) {
  const level = options.level ?? "info";
  const format = options.format ?? (Deno.stderr.isTerminal() ? "pretty" : "json");
  const write = options.write ?? stderrWrite;
  const boundOwn = JSON.stringify(bound);
  const boundJson = !joinable({}, bound)
    ? undefined
    : boundOwn.length > 2
    ? "," + boundOwn.slice(1, -1)
    : "";
  const emit = (at: LogLevel, event: string, fields: Record<string, unknown> = {}) => {
    if (LEVELS[at] < LEVELS[level]) return;
    if (format === "json") {
      write(jsonLine(at, event, bound, boundJson, fields));
    } else {
      const pairs = Object.entries({ ...bound, ...fields }).map(([k, v]) =>
        `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`
      );
      write(`${isoNow().slice(11, 23)} ${at.padEnd(5)} ${event} ${pairs.join(" ")}`);
    }
  };
  const logger: Logger = {
    debug: (event, fields) => emit("debug", event, fields),
    info: (event, fields) => emit("info", event, fields),
    warn: (event, fields) => emit("warn", event, fields),
    error: (event, fields) => emit("error", event, fields),
    with: (fields) => createLogger({ level, format, write }, { ...bound, ...fields }),
  };
  return logger;
}

/** A logger that writes nothing, for tests and benchmarks. */
export const silentLogger: Logger = createLogger({ level: "error", write: () => {} });
