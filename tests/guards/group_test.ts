import { assertEquals } from "../assert.ts";
import { linkChains } from "../../src/guards/group.ts";
import { createJob, parentSettled } from "../../src/transitions/mod.ts";
import type { Job } from "../../src/job.ts";
import { assertRefused, withApi } from "../http/setup.ts";

const job = (id: string, group?: string) => createJob({ id, task: "t", input: 1, group }, 0);

Deno.test("new group jobs chain behind the stored tail and behind each other", () => {
  const tail = job("a", "g");
  const { jobs, predecessors, lanes } = linkChains(
    [job("b", "g"), job("c", "g"), job("x"), job("d", "h")],
    new Map([["group:g", [tail]], ["group:h", [null]]]),
  );
  assertEquals(jobs.map((j) => [j.id, j.state, j.groupAfter]), [
    ["b", "deferred", "a"],
    ["c", "deferred", "b"],
    ["x", "queued", undefined],
    ["d", "queued", undefined],
  ]);
  assertEquals(jobs[0].dependants, ["c"]);
  assertEquals(predecessors.map((p) => [p.after.dependants, p.after.version]), [[["b"], 2]]);
  assertEquals([...lanes], [["group:g", ["c"]], ["group:h", ["d"]]]);
});

Deno.test("a tail that ended does not hold a new group job back", () => {
  const done: Job = { ...job("a", "g"), state: "failed" };
  const { jobs, predecessors } = linkChains([job("b", "g")], new Map([["group:g", [done]]]));
  assertEquals([jobs[0].state, predecessors], ["queued", []]);
});

Deno.test("the next group job is released however the one before it ended", () => {
  const [next] = linkChains([job("b", "g")], new Map([["group:g", [job("a", "g")]]])).jobs;
  for (const state of ["finished", "failed", "canceled"] as const) {
    assertEquals(parentSettled(next, { ...job("a", "g"), state }, 5).state, "queued");
  }
  const retrying = { ...job("a", "g"), state: "scheduled" as const };
  assertEquals(parentSettled(next, retrying, 5).state, "deferred");
});

Deno.test("POST /jobs and POST /tasks/{task} take group; bad or mixed groups are 422s", async () => {
  await withApi(async (api) => {
    const first = await api.enqueue("noop", {}, { group: "user:1" });
    const second = await api.enqueue("noop", {}, { group: "user:1" });
    assertEquals([first.state, second.state, second.groupAfter], ["queued", "deferred", first.id]);
    const res = await api.post("/tasks/noop?group=user:1", {});
    assertEquals(res.status, 202);
    const job = await (await api.get(`/jobs/${(await res.json()).job_id}`)).json();
    assertEquals([job.group, job.status], ["user:1", "deferred"]);
    const refused = (body: Record<string, unknown>) =>
      assertRefused(
        api,
        () => api.post("/jobs", { task: "noop", input: {}, ...body }),
        422,
        "invalid_input",
      );
    const empty = await refused({ group: "" });
    assertEquals((empty.issues as { path: string }[])[0].path, "group");
    const mixed = await refused({ group: "g", depends_on: [first.id] });
    assertEquals((mixed.issues as { path: string }[])[0].path, "group");
  });
});
