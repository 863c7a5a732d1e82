/**
 * The lease keeper's thread (see `lease_keeper.ts`): it opens its own store connection and,
 * while the main thread's stamp is stale, extends the leases of the worker's jobs.
 *
 * @example
 * ```ts ignore
 * new Worker(new URL("./lease_keeper_thread.ts", import.meta.url), { type: "module" });
 * ```
 * @module
 */
/// <reference lib="deno.worker" />
import { openStoreAt } from "../store/location.ts";
import type { Store } from "../store/store.ts";
import { extendLease } from "../transitions/mod.ts";
import type { KeeperChanges, KeeperInit } from "./lease_keeper.ts";

let store: Store | undefined;
let init: KeeperInit | undefined;
let stamp: BigInt64Array | undefined;
const jobs = new Set<string>();
let timer: ReturnType<typeof setInterval> | undefined;
let busy = false;

/** Extends the leases of this worker's started jobs, if the main thread is stalled. */
async function keep(): Promise<void> {
  if (!store || !init || !stamp || busy || jobs.size === 0) return;
  const now = Date.now();
  if (now - Number(Atomics.load(stamp, 0)) <= init.leaseMs / 3) return;
  busy = true;
  try {
    const ids = [...jobs];
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

self.onmessage = async (event: MessageEvent<KeeperInit | KeeperChanges | { type: "close" }>) => {
  const message = event.data;
  if (message.type === "init") {
    init = message;
    stamp = new BigInt64Array(message.alive);
    store = await openStoreAt(message.location);
    timer = setInterval(() => void keep(), Math.max(10, message.leaseMs / 6));
    self.postMessage("ready");
  } else if (message.type === "changes") {
    for (const change of message.changes) {
      if (change[0] === "+") jobs.add(change.slice(1));
      else jobs.delete(change.slice(1));
    }
  } else {
    clearInterval(timer);
    store?.close();
    store = undefined;
    self.postMessage("closed");
  }
};
