import { z } from "zod";
import { assert, assertEquals } from "../assert.ts";
import { FakeClock } from "../../src/clock.ts";
import { createApp } from "../../src/http/mod.ts";
import { silentLogger } from "../../src/log.ts";
import { Producer } from "../../src/producer.ts";
import { defineTask } from "../../src/registry/define_task.ts";
import { Registry } from "../../src/registry/registry.ts";
import { openKvStore } from "../../src/open_kv_store.ts";
import { failNext } from "./play_worker.ts";
import { type Api, assertError, withApi } from "./setup.ts";
import { ADMIN, login, ORIGIN, sameOrigin, TOKENS, withSecureApi } from "../security/secure_api.ts";

const account = defineTask({
  name: "account",
  input: z.object({ user_id: z.int() }),
  handler: () => null,
});

const withAccounts = (fn: (api: Api) => Promise<void>) => withApi(fn, undefined, [account]);

async function html(res: Response): Promise<string> {
  assertEquals(res.status, 200, await res.clone().text());
  assert(res.headers.get("content-type")!.startsWith("text/html"));
  return await res.text();
}

/** Posts the table's action form: `action` and one `ids` field per checked row. */
function submit(api: Api, action: string, ids: string[], extra: [string, string][] = []) {
  const form = new URLSearchParams([["action", action], ...ids.map((id) => ["ids", id]), ...extra]);
  return api.app.request("/ui/jobs/actions", { method: "POST", body: form });
}

Deno.test("every row of the job table has a checkbox of the form whose buttons retry, cancel or delete", async () => {
  await withApi(async ({ get, enqueue }) => {
    const job = await enqueue("noop", {});
    const page = await html(await get("/ui/jobs"));
    assert(
      page.includes(`<form class="actions" id="bulk" method="post" action="/ui/jobs/actions">`),
    );
    assert(page.includes(`<input type="checkbox" name="ids" value="${job.id}" form="bulk"`), page);
    for (const action of ["retry", "cancel", "delete"]) {
      assert(page.includes(`<button name="action" value="${action}"`), action);
    }
    assert(page.includes('id="select-all" hidden'), "select all waits for the script");
  });
});

Deno.test("retrying the selected jobs shows each one's outcome", async () => {
  await withApi(async (api) => {
    await api.enqueue("noop", {});
    const failed = await failNext(api.store, api.clock.now());
    const queued = await api.enqueue("noop", {});
    const missing = "01JD0000000000000000000000";
    const page = await html(await submit(api, "retry", [failed.id, queued.id, missing]));
    assert(page.includes("Retry: 1 done, 1 not found, 1 refused."), page);
    assert(page.includes(`cannot retry job &quot;${queued.id}&quot;: it is queued`), page);
    assert(!page.includes('id="live"'), "an answer to a post is not refreshed live");
    assertEquals((await api.store.jobGet(failed.id))!.state, "queued");
  });
});

Deno.test("deleting the selected jobs asks to confirm first, then deletes, canceling dependants if asked", async () => {
  await withApi(async (api) => {
    const parent = await api.enqueue("noop", {});
    const child = await api.enqueue("noop", {}, { depends_on: [parent.id] });
    const confirm = await html(await submit(api, "delete", [parent.id]));
    assert(
      confirm.includes('id="confirm-delete"') && confirm.includes('name="confirm" value="yes"'),
    );
    assert(confirm.includes(`<input type="hidden" name="ids" value="${parent.id}">`), confirm);
    assert(await api.store.jobGet(parent.id), "nothing is deleted before the confirmation");

    const refused = await html(await submit(api, "delete", [parent.id], [["confirm", "yes"]]));
    assert(refused.includes("Delete: 1 refused.") && refused.includes("wait for it"), refused);
    const done = await html(
      await submit(api, "delete", [parent.id], [["confirm", "yes"], ["cascade", "cancel"]]),
    );
    assert(done.includes(`deleted; canceled ${child.id}`), done);
    assertEquals(await api.store.jobGet(parent.id), null);
    assertEquals((await api.store.jobGet(child.id))!.state, "canceled");
  });
});

Deno.test("the action form refuses nothing selected, unknown actions and fields, naming them", async () => {
  await withApi(async (api) => {
    const job = await api.enqueue("noop", {});
    const cases: [string, string[], [string, string][], string][] = [
      ["retry", [], [], "ids"],
      ["run_now", [job.id], [], "form.action"],
      ["retry", [job.id], [["force", "1"]], "form.force"],
      ["retry", [job.id, job.id], [], "ids.1"],
    ];
    for (const [action, ids, extra, field] of cases) {
      const error = await assertError(await submit(api, action, ids, extra), 422, "invalid_input");
      assert(JSON.stringify(error.issues).includes(`"${field}"`), JSON.stringify(error));
    }
  });
});

Deno.test("a scheduled job's page offers Run now, which queues it", async () => {
  await withApi(async ({ get, post, enqueue, store }) => {
    const later = await enqueue("noop", {}, { delay: 3_600_000 });
    const page = await html(await get(`/ui/jobs/${later.id}`));
    assert(page.includes(`action="/ui/jobs/${later.id}/run-now"`), page);
    const res = await post(`/ui/jobs/${later.id}/run-now`);
    assertEquals(res.headers.get("location"), `/ui/jobs/${later.id}?done=run_now`);
    assertEquals((await store.jobGet(later.id))!.state, "queued");
    const after = await html(await get(`/ui/jobs/${later.id}?done=run_now`));
    assert(after.includes("queued to run now") && !after.includes("/run-now"), after);
    await assertError(await post(`/ui/jobs/${later.id}/run-now`), 409, "invalid_state");
  });
});

Deno.test("the search box finds jobs by field=value and by id prefix, and a redirect's notice shows", async () => {
  await withAccounts(async ({ get, post, enqueue, clock }) => {
    const a = await enqueue("account", { user_id: 42 });
    clock.advance(86_400_000 * 400); // a later time part: a different id prefix
    const b = await enqueue("account", { user_id: 7 });
    const byField = await html(await get("/ui/jobs?q=user_id%3D42"));
    assert(byField.includes(a.id) && !byField.includes(b.id), byField);
    assert(byField.includes("Searched 2 job(s)."), byField);
    const byPrefix = await html(await get(`/ui/jobs?q=${b.id.slice(0, 8)}`));
    assert(byPrefix.includes(b.id) && !byPrefix.includes(`value="${a.id}"`), byPrefix);
    await assertError(await get("/ui/jobs?q=no!"), 422, "invalid_input");
    await post(`/ui/jobs/${b.id}/cancel`);
    const deleted = await post(`/ui/jobs/${b.id}/delete`);
    assert((await html(await get(deleted.headers.get("location")!))).includes("was deleted"));
  });
});

Deno.test("the selection's answer pages link under the base path", async () => {
  const clock = new FakeClock();
  const store = await openKvStore(":memory:", { clock });
  try {
    const registry = new Registry([account]);
    const producer = new Producer({ store, registry, clock });
    const app = createApp({
      producer,
      store,
      registry,
      clock,
      logger: silentLogger,
      basePath: "/t",
    });
    const job = await producer.enqueue({ task: "account", input: { user_id: 1 } });
    const form = new URLSearchParams([["action", "delete"], ["ids", job.id]]);
    const page = await html(
      await app.request("/t/ui/jobs/actions", { method: "POST", body: form }),
    );
    assert(
      page.includes('action="/t/ui/jobs/actions"') && page.includes(`href="/t/ui/jobs/${job.id}"`),
    );
    assert(!/(href|action)="\/ui\//.test(page), page);
  } finally {
    store.close();
  }
});

Deno.test("the selection's form needs the session's CSRF value, which the table carries", async () => {
  await withSecureApi({ tokens: TOKENS }, async ({ app, store, seed }) => {
    const id = await seed();
    const { cookie, csrf } = await login(app, ADMIN);
    const table = await html(await app.request(`${ORIGIN}/ui/jobs`, { headers: { cookie } }));
    assert(table.includes(`<input type="hidden" name="_csrf" value="${csrf}">`), table);
    const cancel = (fields: [string, string][]) =>
      app.request(`${ORIGIN}/ui/jobs/actions`, {
        method: "POST",
        body: new URLSearchParams([["action", "cancel"], ["ids", id], ...fields]),
        headers: { cookie, ...sameOrigin },
      });
    await assertError(await cancel([]), 403, "forbidden");
    await assertError(await cancel([["_csrf", "guessed"]]), 403, "forbidden");
    assertEquals((await store.jobGet(id))!.state, "queued");
    assert((await html(await cancel([["_csrf", csrf]]))).includes("Cancel: 1 done."));
    assertEquals((await store.jobGet(id))!.state, "canceled");
  });
});
