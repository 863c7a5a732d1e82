/**
 * A store on a fake clock with the app's tasks, and cron services whose `Deno.cron` is
 * replaced by a recorder, so tests fire ticks by hand as two processes would.
 *
 * @example
 * ```ts ignore
 * await using fx = await cronFixture([{ name: "every_minute", cron: "* * * * *", task: "noop" }]);
 * const a = fx.service();
 * await a.start();
 * ```
 * @module
 */
import { FakeClock } from "../../src/clock.ts";
import { silentLogger } from "../../src/log.ts";
import { Producer } from "../../src/producer.ts";
import { CronService } from "../../src/scheduler/cron_service.ts";
import {
  compileSchedules,
  type Schedule,
  type ScheduleDefinition,
} from "../../src/scheduler/schedule.ts";
import { openKvStore } from "../../src/open_kv_store.ts";
import type { Store } from "../../src/store/store.ts";
import { registry } from "../../tasks/mod.ts";

/** What `Deno.cron` was asked to register. */
export interface Registration {
  name: string;
  schedule: string;
  signal: AbortSignal;
  handler: () => Promise<void>;
}

/** A store, a clock, checked schedules and a way to make cron services on them. */
export interface CronFixture extends AsyncDisposable {
  store: Store;
  clock: FakeClock;
  producer: Producer;
  schedules: Schedule[];
  /** A cron service (one "process") recording its registrations into `registered`. */
  service(registered?: Registration[]): CronService;
}

/** A fresh KV store in a temp dir on a fake clock at `start`. */
export async function cronFixture(
  definitions: ScheduleDefinition[],
  start = Date.UTC(2026, 0, 5, 8, 59, 30),
): Promise<CronFixture> {
  const dir = await Deno.makeTempDir({ prefix: "tq_cron_test_" });
  const clock = new FakeClock(start);
  const store = await openKvStore(`${dir}/tq.db`, { clock });
  const producer = new Producer({ store, registry, clock });
  const schedules = compileSchedules(definitions, registry);
  const services: CronService[] = [];
  return {
    store,
    clock,
    producer,
    schedules,
    service(registered = []) {
      const service = new CronService({
        store,
        producer,
        schedules,
        clock,
        logger: silentLogger,
        register: (name, schedule, { signal }, handler) =>
          registered.push({ name, schedule, signal, handler }),
      });
      services.push(service);
      return service;
    },
    async [Symbol.asyncDispose]() {
      await Promise.all(services.map((service) => service.stop()));
      store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}
