/**
 * Issue #14, case 1: times beyond the Date range. `run_at` up to 2^53-1 was stored, and
 * then every page that rendered the job answered 500. Now such times are refused with 422
 * naming the field, on every way in, and a record stored before (by an older version, or
 * straight into the store) still renders in the API, the listings and the dashboard.
 */
import { assert, assertEquals } from "../assert.ts";
import { createJob } from "../../src/transitions/mod.ts";
import { MAX_AHEAD_MS } from "../../src/input_rules.ts";
import { InvalidInputError } from "../../src/errors.ts";
import { bothStores, refusedPaths } from "./stores.ts";

const HUGE = [8_640_000_000_000_001, 2 ** 53 - 1, 1e300];

bothStores("run_at and delay beyond a sane range are refused with 422 naming them", async (api) => {
  for (const run_at of [...HUGE, -1, 1.5, "+275760-09-13T00:00:00.001Z", "9999-01-01T00:00:00Z"]) {
    const res = await api.request("POST", "/jobs", { task: "noop", input: {}, run_at });
    assertEquals(await refusedPaths(res), ["run_at"], String(run_at));
  }
  for (const delay of [MAX_AHEAD_MS + 1, 2 ** 53 - 1]) {
    const res = await api.request("POST", "/jobs", { task: "noop", input: {}, delay });
    assertEquals(await refusedPaths(res), ["delay"], String(delay));
  }
  const query = await api.request("POST", `/tasks/noop?run_at=${2 ** 53 - 1}`, {});
  assertEquals(await refusedPaths(query), ["run_at"]);
  const bulk = await api.request("POST", "/jobs/bulk", {
    jobs: [{ task: "noop", input: {}, run_at: 2 ** 53 - 1 }],
  });
  const { error } = await bulk.json();
  assertEquals(error.rejected[0].error.issues[0].path, "run_at");
  for (const runAt of [new Date(NaN), 2 ** 53 - 1]) {
    const error = await api.producer.enqueue({ task: "noop", input: {}, runAt })
      .catch((e) => e);
    assert(error instanceof InvalidInputError, String(error));
    assertEquals(error.issues.map((i) => i.path), ["run_at"]);
  }
  assertEquals((await api.store.jobList({ limit: 10 })).jobs, []);
  const ok = await api.request("POST", "/jobs", {
    task: "noop",
    input: {},
    run_at: Date.now() + MAX_AHEAD_MS - 60_000,
  });
  assertEquals(ok.status, 202);
});

bothStores(
  "a job stored with an out-of-range run_at never breaks a page or a listing",
  async (api) => {
    const job = createJob(
      { id: "01JD0000000000000000000099", task: "noop", input: {} },
      Date.now(),
    );
    await api.store.jobInsertMany({ jobs: [{ ...job, state: "scheduled", runAt: 2 ** 53 - 1 }] });
    const one = await api.request("GET", `/jobs/${job.id}`);
    assertEquals(one.status, 200);
    assertEquals((await one.json()).run_at, null);
    const list = await api.request("GET", "/jobs?status=scheduled");
    assertEquals(list.status, 200);
    assertEquals((await list.json()).jobs.map((j: { id: string }) => j.id), [job.id]);
    assertEquals((await api.request("GET", "/jobs")).status, 200);
    const page = await api.request("GET", `/ui/jobs/${job.id}`, undefined, { accept: "text/html" });
    assertEquals(page.status, 200, await page.clone().text());
    await page.body?.cancel();
    for (const path of ["/ui/jobs", "/ui/jobs?status=scheduled"]) {
      const res = await api.request("GET", path);
      assert(res.status < 400, `${path}: ${res.status}`);
      await res.body?.cancel();
    }
    const cancel = await api.request("POST", `/jobs/${job.id}/cancel`);
    assert(cancel.status < 300, `${cancel.status}: ${await cancel.text()}`);
    assertEquals((await api.store.jobGet(job.id))?.state, "canceled");
  },
);
