/**
 * `POST /flows` and `GET /flows/{id}`: a DAG in one request, all or nothing, with every
 * problem named by its path; the flow's view follows its nodes.
 */
import { assertEquals } from "../assert.ts";
import { assertRefused, withApi } from "../http/setup.ts";
import { MAX_FLOW_NODES } from "../../src/flows/plan.ts";
import { newJobId } from "../../src/ids.ts";

const video = { video_id: 7, work_ms: 0 };

Deno.test("POST /flows stores every node linked, and GET /flows/{id} shows them", async () => {
  await withApi(async ({ post, get, store }) => {
    const res = await post("/flows", {
      nodes: {
        encode: { task: "encode_video", input: video },
        thumbnails: { task: "generate_thumbnails", input: video, depends_on: ["encode"] },
        transcription: { task: "transcribe_audio", input: video, depends_on: ["encode"] },
        resize: { task: "resize_thumbnails", input: video, depends_on: ["thumbnails"] },
      },
    });
    assertEquals(res.status, 202);
    const { flow_id, nodes, status_url } = await res.json();
    assertEquals(flow_id, nodes.encode);
    assertEquals(res.headers.get("location"), status_url);
    const resize = await store.jobGet(nodes.resize);
    assertEquals(resize?.dependsOn, [nodes.thumbnails]);
    const flow = await (await get(status_url)).json();
    assertEquals(flow.status, "running");
    assertEquals(
      Object.fromEntries(
        Object.entries(flow.nodes).map(([n, v]) => [n, (v as { status: string }).status]),
      ),
      { encode: "queued", thumbnails: "deferred", transcription: "deferred", resize: "deferred" },
    );
    assertEquals(flow.nodes.resize.depends_on, ["thumbnails"]);
  });
});

Deno.test("POST /flows names every bad node field, unknown node and cycle, writing nothing", async () => {
  await withApi(async (api) => {
    const error = await assertRefused(
      api,
      () =>
        api.post("/flows", {
          nodes: {
            encode: { task: "encode_video", input: { video_id: "seven" } },
            thumbnails: { task: "nope", input: {}, depends_on: ["encode", "ghost"] },
          },
        }),
      422,
      "invalid_input",
    );
    assertEquals((error.issues as { path: string }[]).map((i) => i.path), [
      "nodes.encode.input.video_id",
      "nodes.thumbnails.task",
      "nodes.thumbnails.depends_on[1]",
    ]);
    const cycle = await assertRefused(
      api,
      () =>
        api.post("/flows", {
          nodes: {
            a: { task: "noop", input: {}, depends_on: ["c"] },
            b: { task: "noop", input: {}, depends_on: ["a"] },
            c: { task: "noop", input: {}, depends_on: ["b"] },
          },
        }),
      422,
      "invalid_input",
    );
    assertEquals(cycle.issues, [{ path: "nodes.a.depends_on", message: "cycle: a → c → b → a" }]);
  });
});

Deno.test("POST /flows over the node limit is a 413 naming it; unknown flows are 404", async () => {
  await withApi(async (api) => {
    const nodes = Object.fromEntries(
      Array.from({ length: MAX_FLOW_NODES + 1 }, (_, i) => [`n${i}`, { task: "noop", input: {} }]),
    );
    const error = await assertRefused(
      api,
      () => api.post("/flows", { nodes }),
      413,
      "payload_too_large",
    );
    assertEquals([error.limit, error.max], ["flow_nodes", MAX_FLOW_NODES]);
    const job = await api.enqueue("noop", {});
    assertEquals((await api.get(`/flows/${job.id}`)).status, 404);
    assertEquals((await api.get(`/flows/${newJobId()}`)).status, 404);
  });
});
