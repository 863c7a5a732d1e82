/**
 * The KV store's schedule records (`../schedules.ts`): `["schedule", name]` holds the
 * `ScheduleRecord`. A run reads the record, decides, and commits the record and the job
 * together under a versionstamp check; a lost race reads again and decides anew, so the
 * second process firing the same tick finds it recorded and writes nothing.
 *
 * @example
 * ```ts ignore
 * const schedules = new KvSchedules(kv);
 * await schedules.scheduleRun({ name: "nightly", job, tickAt: Date.UTC(2026, 0, 1) });
 * ```
 * @module
 */
import { StoreUnavailableError } from "../../errors.ts";
import type { ScheduleRecord, ScheduleRunOutcome, ScheduleRunParams } from "../schedules.ts";
import { WriteBatch } from "./write_batch.ts";

const scheduleKey = (name: string): Deno.KvKey => ["schedule", name];

/** Reads and retries a contended change this many times. */
const ATTEMPTS = 20;

/** The KV side of the schedule methods of the store contract. */
export class KvSchedules {
  readonly #kv: Deno.Kv;

  constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  async scheduleRun({ name, job, tickAt }: ScheduleRunParams): Promise<ScheduleRunOutcome> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const entry = await this.#kv.get<ScheduleRecord>(scheduleKey(name));
      const record = entry.value ?? { name, paused: false };
      if (tickAt !== undefined) {
        if (record.lastTickAt !== undefined && record.lastTickAt >= tickAt) return "duplicate";
        if (record.paused) return "paused";
      }
      const next: ScheduleRecord = {
        ...record,
        lastRunAt: job.createdAt,
        lastJobId: job.id,
        ...(tickAt === undefined ? {} : { lastTickAt: tickAt }),
      };
      const batch = new WriteBatch(this.#kv)
        .check(scheduleKey(name), entry.versionstamp)
        .set(scheduleKey(name), next)
        .change(null, job);
      if ((await batch.commit()).ok) return "enqueued";
    }
    throw new StoreUnavailableError(`schedule "${name}" kept changing; try again`);
  }

  async scheduleGetMany({ names }: { names: string[] }): Promise<ScheduleRecord[]> {
    const records: ScheduleRecord[] = [];
    for (let i = 0; i < names.length; i += 10) {
      const keys = names.slice(i, i + 10).map(scheduleKey);
      const entries = await this.#kv.getMany<ScheduleRecord[]>(keys);
      entries.forEach((entry, j) =>
        records.push(entry.value ?? { name: names[i + j], paused: false })
      );
    }
    return records;
  }

  async schedulePause({ name, paused }: { name: string; paused: boolean }): Promise<void> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const entry = await this.#kv.get<ScheduleRecord>(scheduleKey(name));
      const record = { ...(entry.value ?? { name }), paused };
      const commit = await this.#kv.atomic().check(entry).set(scheduleKey(name), record)
        .commit();
      if (commit.ok) return;
    }
    throw new StoreUnavailableError(`schedule "${name}" kept changing; try again`);
  }
}
