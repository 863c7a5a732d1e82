/**
 * The Python client (`clients/python/tq_worker.py`) against a real `tq serve`, on a KV
 * file and on a real redis-server: success, retry, unrecoverable failure, cancel seen on
 * the heartbeat, an abandoned lease rescued, and the stale token of the worker that
 * abandoned it refused with 409.
 */
import { assert, assertEquals } from "../assert.ts";
import { requireRedisServer } from "../store/redis_server.ts";
import { eventually } from "./tq_process.ts";
import { PyWorker, withPythonTq } from "./python_worker.ts";

type Errors = { name: string }[];

for (const store of ["kv", "redis"] as const) {
  Deno.test(`python worker (${store}): success, retry, unrecoverable failure, cancel on heartbeat`, async () => {
    if (store === "redis") await requireRedisServer();
    await withPythonTq(store, async ({ url, api }) => {
      const worker = PyWorker.start(url, `py-${store}`);
      try {
        const ok = await api.enqueue("py_work", { n: 2 });
        const flaky = await api.enqueue("py_work", { fail: "retry" });
        const doomed = await api.enqueue("py_work", { fail: "unrecoverable" });
        const endless = await api.enqueue("py_work", { until_canceled: true });

        const done = await api.ended(ok);
        assertEquals([done.status, (done.result as { n: number }).n], ["finished", 4]);

        const retried = await api.ended(flaky);
        assertEquals([retried.status, retried.attempts], ["finished", 3]);
        assertEquals((retried.errors as Errors).map((e) => e.name), ["ValueError", "ValueError"]);

        const failed = await api.ended(doomed);
        assertEquals([failed.status, failed.attempts], ["failed", 1]);
        assertEquals((failed.errors as Errors)[0].name, "Unrecoverable");

        await eventually(async () => (await api.job(endless)).status === "started");
        const page = await (await fetch(`${url}/ui/workers`)).text();
        assert(page.includes(`py-${store}`), "the Python worker is on the workers page");
        assertEquals((await api.post(`/jobs/${endless}/cancel`)).status, 200);
        const canceled = await api.ended(endless, 10_000);
        assertEquals(canceled.status, "canceled");
        await eventually(() => Promise.resolve(worker.log.includes("lease_lost")), 10_000, "a 409");
      } finally {
        assertEquals(await worker.stop(), 0, worker.log);
      }
    });
  });

  Deno.test(`python worker (${store}): an abandoned lease is rescued; the stale token gets 409`, async () => {
    if (store === "redis") await requireRedisServer();
    await withPythonTq(store, async ({ url, api }) => {
      const stalled = PyWorker.start(url, "py-stalled");
      let rescuer: PyWorker | undefined;
      try {
        const id = await api.enqueue("py_work", { n: 5, sleep: 1 });
        await eventually(async () => (await api.job(id)).worker_id === "py-stalled");
        stalled.signal("SIGSTOP"); // no heartbeats: the lease (1.5 s) lapses
        rescuer = PyWorker.start(url, "py-rescuer");
        const done = await api.ended(id, 30_000);
        assertEquals([done.status, done.attempts, done.worker_id], [
          "finished",
          2,
          "py-rescuer",
        ]);
        assertEquals((done.errors as Errors)[0].name, "LeaseExpiredError");
        stalled.signal("SIGCONT"); // it wakes up and reports with its stale token
        await eventually(
          () => Promise.resolve(stalled.log.includes("lease_lost (409)")),
          10_000,
          "a 409",
        );
        const after = await api.job(id);
        assertEquals([after.status, after.attempts, after.result], [
          "finished",
          2,
          done.result,
        ]);
      } finally {
        stalled.signal("SIGCONT");
        assertEquals(await stalled.stop(), 0, stalled.log);
        if (rescuer) assertEquals(await rescuer.stop(), 0, rescuer.log);
      }
    });
  });
}

Deno.test("python worker: SIGTERM lets the running job finish, then the worker leaves", async () => {
  await withPythonTq("kv", async ({ url, api }) => {
    const worker = PyWorker.start(url, "py-graceful");
    const id = await api.enqueue("py_work", { n: 1, sleep: 1 });
    await eventually(async () => (await api.job(id)).status === "started");
    assertEquals(await worker.stop("SIGTERM"), 0, worker.log);
    const done = await api.job(id);
    assertEquals([done.status, done.attempts], ["finished", 1]);
    const page = await (await fetch(`${url}/ui/workers`)).text();
    assert(!page.includes("py-graceful"), "a stopped worker leaves the workers page");
  });
});
