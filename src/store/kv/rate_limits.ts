/**
 * Claims under rate limits on the KV file. The window records (`["rate", key]`, the start
 * times still inside the window, see `src/guards/rate_limit_window.ts`) are read with the
 * candidate jobs and written in the claim's own commit, which checks the versionstamps of
 * both: two processes can never both take the last start of a window. Jobs held back stay
 * in the ready index; the claim looks past them (up to {@linkcode SCAN_ROUNDS} lists of
 * {@linkcode SCAN_KEYS}) so other tasks of the queue keep flowing. Only workers whose
 * registry has limits come here; every other claim takes the store's plain path.
 *
 * @example
 * ```ts ignore
 * const limited = new KvRateLimits(kv, systemClock);
 * const jobs = await limited.claim(params, ["mail"]);
 * const waitMs = limited.waitMs(1_000); // until a window frees, at most 1 s
 * ```
 * @module
 */
import type { Clock } from "../../clock.ts";
import type { Job } from "../../job.ts";
import type { RateLimits } from "../../guards/rate_limit.ts";
import { admitJobs } from "../../guards/rate_limit_window.ts";
import { limitOf, rateLimitKeys } from "../../guards/rate_limit.ts";
import { claimJob } from "../../transitions/mod.ts";
import type { JobClaimParams } from "../store.ts";
import { jobKey } from "./keys.ts";
import { getRecords, listKeys, type StoredJob } from "./reads.ts";
import { WriteBatch } from "./write_batch.ts";

/** Ready keys read per list. */
const SCAN_KEYS = 50;
/** Lists per queue and claim: how far past held-back jobs a claim looks. */
const SCAN_ROUNDS = 6;
/** Jobs per commit: each needs a check, and so may each window (KV allows 100 checks). */
const JOBS_PER_COMMIT = 49;

/** The window record of a limit key. */
const windowKey = (key: string): Deno.KvKey => ["rate", key];

/** Rate-limited claims of one store, and when a held-back job could next start. */
export class KvRateLimits {
  readonly #kv: Deno.Kv;
  readonly #clock: Clock;
  /** After the last claim: when a held-back job could start, by the store's clock. */
  #wakeAt = Infinity;

  constructor(kv: Deno.Kv, clock: Clock) {
    this.#kv = kv;
    this.#clock = clock;
  }

  /** How long an idle claimant should wait at most: `timeoutMs`, or less if a window frees. */
  waitMs(timeoutMs: number): number {
    return Math.max(0, Math.min(timeoutMs, this.#wakeAt - this.#clock.now()));
  }

  /** `jobClaim` for `queues` (paused ones already left out) under `rateLimits`. */
  async claim(params: JobClaimParams & { rateLimits: RateLimits }, queues: string[]) {
    const claimed: Job[] = [];
    let wakeAt = Infinity;
    for (const queue of queues) {
      let start: Deno.KvKey | undefined;
      let perCommit = JOBS_PER_COMMIT;
      for (let round = 0; round < SCAN_ROUNDS && claimed.length < params.limit; round++) {
        const prefix = ["ready", queue];
        const listed = (await listKeys(
          this.#kv,
          start ? { prefix, start } : { prefix },
          SCAN_KEYS + 1,
        )).filter((key) => !start || JSON.stringify(key) !== JSON.stringify(start));
        if (listed.length === 0) break;
        const want = Math.min(params.limit - claimed.length, perCommit);
        const outcome = await this.#claimRound(params, listed, want);
        if (outcome === "too large") {
          perCommit = Math.max(1, Math.floor(perCommit / 2));
          continue;
        }
        if (outcome === "raced") continue;
        claimed.push(...outcome.jobs);
        wakeAt = Math.min(wakeAt, outcome.wakeAt ?? Infinity);
        // Held-back jobs stay ready: the next list starts after what this one looked at.
        if (outcome.jobs.length < want) start = listed.at(-1);
        if (listed.length < SCAN_KEYS && outcome.jobs.length < want) break;
      }
    }
    this.#wakeAt = wakeAt;
    return claimed;
  }

  async #claimRound(
    params: JobClaimParams & { rateLimits: RateLimits },
    listed: Deno.KvKey[],
    want: number,
  ): Promise<"raced" | "too large" | { jobs: Job[]; wakeAt: number | null }> {
    const { rateLimits: limits, now, workerId, leaseMs } = params;
    const records = (await getRecords(this.#kv, listed.map((key) => key.at(-1) as string)))
      .filter((r): r is StoredJob => r?.job.state === "queued");
    const keys = [
      ...new Set(records.flatMap(({ job }) => rateLimitKeys(limits, job.queue, job.task))),
    ];
    const windows = new Map<string, number[]>();
    const stamps = new Map<string, string | null>();
    for (let i = 0; i < keys.length; i += 10) {
      const chunk = keys.slice(i, i + 10);
      const entries = await this.#kv.getMany<number[][]>(chunk.map(windowKey));
      chunk.forEach((key, j) => {
        windows.set(key, entries[j].value ?? []);
        stamps.set(key, entries[j].versionstamp);
      });
    }
    const admission = admitJobs(records.map((r) => r.job), { limits, now, windows, max: want });
    if (admission.admitted.length === 0) return { jobs: [], wakeAt: admission.wakeAt };
    const byId = new Map(records.map((r) => [r.job.id, r]));
    const batch = new WriteBatch(this.#kv);
    const jobs = admission.admitted.map((job) => {
      const after = claimJob(job, { workerId, now, leaseMs });
      batch.check(jobKey(job.id), byId.get(job.id)!.stamp).change(job, after);
      return after;
    });
    for (const [key, starts] of admission.changed) {
      batch.check(windowKey(key), stamps.get(key) ?? null)
        .set(windowKey(key), starts, { expireIn: limitOf(limits, key).per });
    }
    try {
      const { ok } = await batch.commit();
      return ok ? { jobs, wakeAt: admission.wakeAt } : "raced";
    } catch (error) {
      if (error instanceof TypeError && /too large/i.test(error.message) && want > 1) {
        return "too large";
      }
      throw error;
    }
  }
}
