/** Expiry on the enqueue routes: `expires_in` and `expires_at` set it; bad values are 422. */
import { assertEquals } from "../assert.ts";
import { assertRefused, withApi } from "./setup.ts";

Deno.test("POST /jobs with expires_in or expires_at records the expiry and shows it", async () => {
  await withApi(async ({ enqueue, clock, get }) => {
    const soon = await enqueue("noop", {}, { expires_in: 60_000 });
    assertEquals(soon.startBy, clock.now() + 60_000);
    const at = clock.now() + 3_600_000;
    const iso = await enqueue("noop", {}, { expires_at: new Date(at).toISOString() });
    assertEquals(iso.startBy, at);
    const epoch = await enqueue("noop", {}, { expires_at: at, delay: 1_000 });
    assertEquals([epoch.startBy, epoch.state], [at, "scheduled"]);
    const body = await (await get(`/jobs/${iso.id}`)).json();
    assertEquals([body.expires_at, body.deferrals], [new Date(at).toISOString(), 0]);
    const plain = await (await get(`/jobs/${(await enqueue("noop", {})).id}`)).json();
    assertEquals(plain.expires_at, null);
  });
});

Deno.test("bad expires_in or expires_at answers 422 naming the field", async () => {
  await withApi(async (api) => {
    const now = api.clock.now();
    const cases: [Record<string, unknown>, string][] = [
      [{ expires_in: 0 }, "expires_in"],
      [{ expires_in: 1.5 }, "expires_in"],
      [{ expires_in: "soon" }, "expires_in"],
      [{ expires_at: "tomorrow" }, "expires_at"],
      [{ expires_at: -1 }, "expires_at"],
      [{ expires_in: 1_000, expires_at: now + 5_000 }, "expires_at"],
      [{ expires_at: now - 1 }, "expires_at"],
      [{ expires_in: 1_000, delay: 1_000 }, "expires_in"],
      [{ expires_at: now + 1_000, run_at: now + 2_000 }, "expires_at"],
    ];
    for (const [fields, path] of cases) {
      const error = await assertRefused(
        api,
        () => api.post("/jobs", { task: "noop", input: {}, ...fields }),
        422,
        "invalid_input",
      );
      assertEquals(
        (error.issues as { path: string }[]).map((i) => i.path),
        [path],
        JSON.stringify(fields),
      );
    }
  });
});

Deno.test("POST /tasks/{task} takes expires_in in the query", async () => {
  await withApi(async (api) => {
    const res = await api.post("/tasks/noop?expires_in=5000", {});
    assertEquals(res.status, 202);
    const job = await api.store.jobGet((await res.json()).job_id);
    assertEquals(job?.startBy, api.clock.now() + 5_000);
    await assertRefused(api, () => api.post("/tasks/noop?expires_in=0", {}), 422, "invalid_input");
  });
});
