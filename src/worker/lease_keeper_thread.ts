/**
 * The lease keeper's thread (see `lease_keeper.ts`): while the main thread's stamp is
 * stale, it extends the leases of the worker's jobs. It loads the store, and opens its own
 * connection, the first time it has to: until then the thread is an idle isolate.
 *
 * @example
 * ```ts ignore
 * new Worker(new URL("./lease_keeper_thread.ts", import.meta.url), { type: "module" });
 * ```
 * @module
 */
/// <reference lib="deno.worker" />
import type { Store } from "../store/store.ts";
import type { KeeperInit } from "./lease_keeper.ts";
import { SharedJobIds } from "./shared_job_ids.ts";

let init: KeeperInit | undefined;
let stamp: BigInt64Array | undefined;
let jobs: SharedJobIds | undefined;
let store: Store | undefined;
let closed = false;
let timer: ReturnType<typeof setInterval> | undefined;
let busy = false;

/** Extends the leases of this worker's started jobs, if the main thread is stalled. */
async function keep(): Promise<void> {
  if (!init || !stamp || !jobs || busy) return;
  const now = Date.now();
  if (now - Number(Atomics.load(stamp, 0)) <= init.leaseMs / 3) return;
  const ids = jobs.read();
  if (ids.length === 0) return;
  busy = true;
  try {
    const [{ openStoreAt }, { extendLease }] = await Promise.all([
      import("../store/location.ts"),
      import("../transitions/mod.ts"),
    ]);
    if (!store) {
      const opened = await openStoreAt(init.location);
      if (closed) return opened.close();
      store = opened;
    }
    const records = await store.jobGetMany(ids);
    // Past its timeout a blocked job counts as wedged: its lease lapses and the rescuer
    // takes over, as if the worker had died (a wedged job must not be held forever).
    const updates = records.flatMap((job) =>
      job?.state === "started" && job.workerId === init!.workerId &&
        now < (job.startedAt ?? now) + job.timeoutMs
        ? [{ before: job, after: extendLease(job, { now, leaseMs: init!.leaseMs }) }]
        : []
    );
    if (updates.length > 0) await store.jobUpdateMany({ updates });
  } catch (error) {
    console.error(JSON.stringify({ event: "lease_keeper:error", error: String(error) }));
  } finally {
    busy = false;
  }
}

self.onmessage = (event: MessageEvent<KeeperInit | { type: "close" }>) => {
  const message = event.data;
  if (message.type === "init") {
    init = message;
    stamp = new BigInt64Array(message.alive);
    jobs = new SharedJobIds(message.jobs);
    timer = setInterval(() => void keep(), Math.max(10, message.leaseMs / 6));
    self.postMessage("ready");
  } else {
    closed = true;
    clearInterval(timer);
    store?.close();
    self.postMessage("closed");
  }
};
