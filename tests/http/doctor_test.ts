import { assert, assertEquals } from "../assert.ts";
import { withApi } from "./setup.ts";

Deno.test("GET /doctor answers clean for a healthy store", async () => {
  await withApi(async ({ enqueue, get }) => {
    await enqueue("noop", {});
    const res = await get("/doctor");
    assertEquals(res.status, 200);
    assertEquals(await res.json(), { clean: true, scanned_jobs: 1, findings: [] });
  });
});

Deno.test("GET /doctor and /ui/doctor name a dependant whose parent was deleted", async () => {
  await withApi(async ({ enqueue, get, store }) => {
    const parent = await enqueue("noop", {}, { delay: 1_000 });
    const child = await enqueue("noop", {}, { depends_on: [parent.id] });
    assert(await store.jobDelete({ job: (await store.jobGet(parent.id))! }));
    const report = await (await get("/doctor")).json();
    assertEquals(report.clean, false);
    assertEquals(report.findings.map((f: { kind: string; job_id: string }) => [f.kind, f.job_id]), [
      ["parent_gone", child.id],
    ]);
    const page = await (await get("/ui/doctor")).text();
    assert(page.includes("doctor-findings") && page.includes(child.id), page);
    assert(page.includes("tq doctor --repair"));
  });
});

Deno.test("the job page of a parent offers to delete it with its dependants canceled", async () => {
  await withApi(async ({ enqueue, get, app }) => {
    const parent = await enqueue("noop", {}, { delay: 1_000 });
    const child = await enqueue("noop", {}, { depends_on: [parent.id] });
    const page = await (await get(`/ui/jobs/${parent.id}`)).text();
    assert(page.includes("delete-confirm") && page.includes("?cascade=cancel"), page);
    const refused = await app.request(`/ui/jobs/${parent.id}/delete`, { method: "POST" });
    assertEquals(refused.headers.get("location"), `/ui/jobs/${parent.id}?done=delete_refused`);
    const res = await app.request(`/ui/jobs/${parent.id}/delete?cascade=cancel`, {
      method: "POST",
    });
    assertEquals(res.headers.get("location"), "/ui/jobs?done=deleted_cascade");
    const shown = await (await get(`/jobs/${child.id}`)).json();
    assertEquals([shown.status, shown.cancel_reason], ["canceled", `parent ${parent.id} deleted`]);
  });
});
