/**
 * The Redis store's debounce keys (`../debounce.ts`): `prefix:debounce:<task>:<key>`, a
 * string `<firstAt>:<jobId>` that Redis expires after `ttlMs`. An enqueue reads it and its
 * job, then writes the job with the new record in one `write_linked` script that compares
 * the record and the job's version with what was read: of concurrent requests each writes
 * in turn, and the later ones find the job the first wrote.
 *
 * @example
 * ```ts ignore
 * const debounced = new RedisDebounce(redis, keys);
 * const { created } = await debounced.insert({ job, debounce: { key: "user:1", waitMs: 500 } });
 * ```
 * @module
 */
import { StoreUnavailableError } from "../../errors.ts";
import { debounceWrite } from "../../guards/debounce.ts";
import type { DebouncedInsertParams, DebouncedInsertResult, DebounceRecord } from "../debounce.ts";
import { linkedWriteArgs } from "./dependencies.ts";
import type { RedisKeys } from "./keys.ts";
import { locateJobs } from "./reads.ts";
import type { ScriptedRedis } from "./scripts/mod.ts";

/** Reads and retries a contended key this many times. */
const ATTEMPTS = 20;

const encode = ({ firstAt, jobId }: DebounceRecord) => `${firstAt}:${jobId}`;

function decode(text: string | null): DebounceRecord | null {
  if (text === null) return null;
  const colon = text.indexOf(":");
  return { firstAt: Number(text.slice(0, colon)), jobId: text.slice(colon + 1) };
}

/** Debounced inserts on Redis. */
export class RedisDebounce {
  readonly #redis: ScriptedRedis;
  readonly #keys: RedisKeys;

  constructor(redis: ScriptedRedis, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  /** Inserts `job` or joins the job waiting for its debounce key. */
  async insert({ job, debounce }: DebouncedInsertParams): Promise<DebouncedInsertResult> {
    const key = `${this.#keys.prefix}:debounce:${job.task}:${debounce.key}`;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const text = await this.#redis.get(key);
      const record = decode(text);
      const [held] = record ? await locateJobs(this.#redis, this.#keys, [record.jobId]) : [null];
      const write = debounceWrite({ job, record, held, ...debounce });
      const written = await this.#redis.tqWriteLinked(
        this.#keys.queues,
        this.#keys.wake,
        this.#keys.queues,
        "1",
        ...linkedWriteArgs(this.#keys, [write]),
        "1",
        key,
        text ?? "",
        encode(write.record),
        String(write.ttlMs),
      );
      if (written === 1) return { job: write.after, created: write.before === null };
    }
    throw new StoreUnavailableError(`debounce key "${debounce.key}" kept changing; try again`);
  }
}
