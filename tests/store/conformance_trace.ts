/**
 * Conformance of the trace context: a job's `traceparent` survives insert, claim and the
 * write of its outcome, so the worker's span finds its parent. Registered from
 * `runStoreConformance`.
 *
 * @example
 * ```ts ignore
 * runTraceConformance(test);
 * ```
 * @module
 */
import { assertEquals } from "../assert.ts";
import { newJobId } from "../../src/ids.ts";
import type { Store } from "../../src/store/store.ts";
import { createJob, finishJob } from "../../src/transitions/mod.ts";

type Test = (name: string, fn: (store: Store) => Promise<void>) => void;

const T0 = Date.UTC(2026, 0, 1);
const TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

/** Registers the trace context tests with a backend's `test`. */
export function runTraceConformance(test: Test): void {
  test("a job's traceparent survives insert, claim and finish", async (store) => {
    const job = createJob({ id: newJobId(T0), task: "t", input: {} }, T0);
    job.traceparent = TRACEPARENT;
    await store.jobInsertMany({ jobs: [job] });
    const [claimed] = await store.jobClaim({
      queues: ["default"],
      workerId: "w",
      limit: 1,
      leaseMs: 1_000,
      now: T0,
    });
    assertEquals(claimed.traceparent, TRACEPARENT);
    const after = finishJob(claimed, { now: T0 + 1, result: null, ttlMs: 1_000 });
    const { applied } = await store.jobUpdateMany({ updates: [{ before: claimed, after }] });
    assertEquals(applied, [job.id]);
    assertEquals((await store.jobGet(job.id))?.traceparent, TRACEPARENT);
  });
}
