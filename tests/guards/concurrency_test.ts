import { assert, assertEquals, assertThrows } from "../assert.ts";
import {
  chainKeyOf,
  laneHandOver,
  laneIds,
  laneRecord,
  laneTails,
  linkChains,
} from "../../src/guards/group.ts";
import { concurrencyOf } from "../../src/guards/concurrency.ts";
import { defineTask } from "../../src/registry/define_task.ts";
import { createJob } from "../../src/transitions/mod.ts";
import type { Job } from "../../src/job.ts";
import { z } from "zod";
import { assertRefused, withApi } from "../http/setup.ts";

const keyed = (id: string, key = "k", limit = 2) =>
  createJob({ id, task: "t", input: 1, concurrency: { key, limit } }, 0);

Deno.test("a key's first `limit` jobs start lanes; the rest chain behind them in turn", () => {
  const { jobs, lanes } = linkChains(
    ["a", "b", "c", "d", "e"].map((id) => keyed(id)),
    new Map(),
  );
  assertEquals(jobs.map((j) => [j.id, j.state, j.groupAfter]), [
    ["a", "queued", undefined],
    ["b", "queued", undefined],
    ["c", "deferred", "a"],
    ["d", "deferred", "b"],
    ["e", "deferred", "c"],
  ]);
  assertEquals(lanes.get("concurrency:k"), ["d", "e"]);
});

Deno.test("a lane whose tail ended or is gone makes room for a new job of the key", () => {
  const running: Job = { ...keyed("a"), state: "started" };
  const done: Job = { ...keyed("b"), state: "finished" };
  const { jobs, lanes } = linkChains(
    [keyed("c"), keyed("d")],
    new Map([["concurrency:k", [running, done]]]),
  );
  assertEquals(jobs.map((j) => [j.state, j.groupAfter]), [["queued", undefined], [
    "deferred",
    "a",
  ]]);
  assertEquals(lanes.get("concurrency:k"), ["c", "d"]);
  const gone = linkChains([keyed("e")], new Map([["concurrency:k", [null, running]]]));
  assertEquals(gone.jobs[0].state, "queued");
});

Deno.test("keys and groups of the same name are separate", () => {
  const { jobs } = linkChains(
    [createJob({ id: "g", task: "t", input: 1, group: "k" }, 0), keyed("a", "k", 1)],
    new Map(),
  );
  assertEquals(jobs.map((j) => j.state), ["queued", "queued"]);
  assertEquals(chainKeyOf(jobs[0])?.kind, "group");
});

Deno.test("a lane record reads back as written, and a group's lone tail id is one lane", () => {
  assertEquals(laneIds(laneRecord(["a", "b"])), ["a", "b"]);
  assertEquals(laneIds("01J"), ["01J"]);
  assertEquals(laneIds(null), []);
});

Deno.test("a task's concurrency key comes from the input; the request's overrides it", () => {
  const task = {
    name: "sync",
    concurrency: { key: (input: unknown) => `team:${(input as { team: number }).team}`, limit: 3 },
  };
  assertEquals(concurrencyOf(task, {}, { team: 7 }).concurrency, { key: "team:7", limit: 3 });
  assertEquals(
    concurrencyOf(task, { concurrencyKey: "x", concurrencyLimit: 1 }, { team: 7 }).concurrency,
    { key: "x", limit: 1 },
  );
  assertEquals(concurrencyOf(undefined, {}, {}), { issues: [] });
});

Deno.test("bad concurrency keys and limits are issues naming the field", () => {
  const paths = (
    request: Parameters<typeof concurrencyOf>[1],
    task?: Parameters<typeof concurrencyOf>[0],
  ) => concurrencyOf(task, request, {}).issues.map((i) => i.path);
  assertEquals(paths({ concurrencyKey: "", concurrencyLimit: 1 }), ["concurrency_key"]);
  assertEquals(paths({ concurrencyKey: "k".repeat(201), concurrencyLimit: 1 }), [
    "concurrency_key",
  ]);
  assertEquals(paths({ concurrencyKey: "k" }), ["concurrency_limit"]);
  assertEquals(paths({ concurrencyKey: "k", concurrencyLimit: 0 }), ["concurrency_limit"]);
  assertEquals(paths({ concurrencyKey: "k", concurrencyLimit: 1.5 }), ["concurrency_limit"]);
  assertEquals(paths({ concurrencyLimit: 2 }), ["concurrency_key"]);
  assertEquals(paths({ concurrencyKey: "k", concurrencyLimit: 1, group: "g" }), [
    "concurrency_key",
  ]);
  const debounce = { key: "d", waitMs: 10 };
  assertEquals(paths({ debounce }, { name: "t", concurrency: { key: () => "k", limit: 1 } }), [
    "concurrency_key",
  ]);
  const throwing = {
    name: "t",
    concurrency: {
      key: () => {
        throw new Error("no team");
      },
      limit: 1,
    },
  };
  assertEquals(paths({}, throwing), ["concurrency_key"]);
  const empty = { name: "t", concurrency: { key: () => "", limit: 1 } };
  assertEquals(paths({}, empty), ["concurrency_key"]);
});

Deno.test("defineTask refuses a concurrency without a key function or with a bad limit", () => {
  const define = (concurrency: unknown) =>
    defineTask({
      name: "t",
      input: z.object({}),
      // deno-lint-ignore no-explicit-any
      concurrency: concurrency as any,
      handler: () => null,
    });
  const message = (concurrency: unknown, kind: typeof TypeError) =>
    assertThrows(() => define(concurrency), kind).message;
  assert(message({ key: "k", limit: 1 }, TypeError).includes("concurrency.key"));
  assert(message({ key: () => "k", limit: 0 }, RangeError).includes("concurrency.limit"));
  assert(message({ key: () => "k", limit: 51 }, RangeError).includes("concurrency.limit"));
  assertEquals(define({ key: () => "k", limit: 2 }).concurrency?.limit, 2);
});

Deno.test("POST /jobs and POST /tasks/{task} take concurrency_key; bad ones are 422s naming the field", async () => {
  await withApi(async (api) => {
    const options = { concurrency_key: "tenant:1", concurrency_limit: 1 };
    const first = await api.enqueue("noop", {}, options);
    const second = await api.enqueue("noop", {}, options);
    assertEquals([first.state, second.state, second.groupAfter], ["queued", "deferred", first.id]);
    const res = await api.post("/tasks/noop?concurrency_key=tenant:2&concurrency_limit=3", {});
    assertEquals(res.status, 202);
    const job = await (await api.get(`/jobs/${(await res.json()).job_id}`)).json();
    assertEquals([job.concurrency_key, job.concurrency_limit, job.status], [
      "tenant:2",
      3,
      "queued",
    ]);
    const refused = async (body: Record<string, unknown>) => {
      const answer = await assertRefused(
        api,
        () => api.post("/jobs", { task: "noop", input: {}, ...body }),
        422,
        "invalid_input",
      );
      return (answer.issues as { path: string }[])[0].path;
    };
    assertEquals(await refused({ concurrency_key: "", concurrency_limit: 1 }), "concurrency_key");
    assertEquals(await refused({ concurrency_key: "k" }), "concurrency_limit");
    assertEquals(
      await refused({ concurrency_key: "k", concurrency_limit: 0 }),
      "concurrency_limit",
    );
    assertEquals(
      await refused({ concurrency_key: "k", concurrency_limit: 51 }),
      "concurrency_limit",
    );
    assertEquals(await refused({ concurrency_key: 5, concurrency_limit: 1 }), "concurrency_key");
    assertEquals(
      await refused({ concurrency_key: "k", concurrency_limit: 1, group: "g" }),
      "concurrency_key",
    );
  });
});

Deno.test("a lane's tail canceled while waiting stands for the job it waited for", async () => {
  const running: Job = { ...keyed("a"), state: "started", dependants: ["b"] };
  const canceled: Job = { ...keyed("b"), state: "canceled", groupAfter: "a", pendingParents: 1 };
  const records = new Map<string, Job>([["a", running], ["b", canceled]]);
  const reads: string[][] = [];
  const tails = await laneTails([["b", "gone"]], (ids) => {
    reads.push(ids);
    return Promise.resolve(ids.map((id) => records.get(id) ?? null));
  });
  assertEquals(tails, [[running, null]]);
  assertEquals(reads, [["b", "gone"], ["a"]]);
});

Deno.test("a job leaving its lane while waiting hands the next one to the job before it", () => {
  const a: Job = { ...keyed("a"), state: "started", dependants: ["b"] };
  const b: Job = { ...keyed("b"), state: "canceled", groupAfter: "a", pendingParents: 1 };
  const c: Job = { ...keyed("c"), state: "deferred", groupAfter: "b", pendingParents: 1 };
  const moved = laneHandOver(b, c, a);
  assertEquals([moved?.successor.groupAfter, moved?.predecessor.dependants], ["a", ["c"]]);
  // A job that ended after its turn came releases the next one as usual.
  assertEquals(laneHandOver({ ...b, pendingParents: undefined }, c, a), null);
  assertEquals(laneHandOver(b, c, { ...a, state: "finished" }), null);
});
