import { z } from "zod";
import { assert, assertEquals } from "../assert.ts";
import { defineTask } from "../../src/registry/define_task.ts";
import { type Api, assertError, withApi } from "./setup.ts";

/** Takes any user id, number or string, and an optional plan. */
const account = defineTask({
  name: "account",
  input: z.object({ user_id: z.union([z.int(), z.string()]), plan: z.string().optional() }),
  handler: () => null,
});

const withAccounts = (fn: (api: Api) => Promise<void>) => withApi(fn, undefined, [account]);

const ids = (body: { jobs: { id: string }[] }) => body.jobs.map((job) => job.id);

Deno.test("GET /jobs?input.<field>= finds jobs by a top-level input field, numbers and strings alike", async () => {
  await withAccounts(async ({ enqueue, get }) => {
    const a = await enqueue("account", { user_id: 42, plan: "pro" });
    await enqueue("account", { user_id: 420 });
    const b = await enqueue("account", { user_id: "42" });
    await enqueue("noop", {});
    const found = await (await get("/jobs?input.user_id=42")).json();
    assertEquals(ids(found), [b.id, a.id]);
    assertEquals(found.scan, { scanned: 4, cap: 5_000, capped: false });
    assertEquals(found.next_cursor, null);
    const both = await (await get("/jobs?input.user_id=42&input.plan=pro")).json();
    assertEquals(ids(both), [a.id]);
    const none = await (await get("/jobs?input.user_id=42&task=noop")).json();
    assertEquals(ids(none), []);
  });
});

Deno.test("GET /jobs?id_prefix= finds jobs by the start of their id, in any case", async () => {
  await withAccounts(async ({ enqueue, get, clock }) => {
    const old = await enqueue("noop", {});
    clock.advance(86_400_000 * 400); // a later time part: a different id prefix
    const recent = [await enqueue("noop", {}), await enqueue("noop", {})];
    const prefix = recent[0].id.slice(0, 6);
    assert(!old.id.startsWith(prefix));
    const found = await (await get(`/jobs?id_prefix=${prefix.toLowerCase()}`)).json();
    assertEquals(ids(found), [recent[1].id, recent[0].id]);
    assertEquals(found.scan.scanned, 2, "the scan stops below the prefix");
    const one = await (await get(`/jobs?id_prefix=${old.id}`)).json();
    assertEquals(ids(one), [old.id]);
  });
});

Deno.test("a search stops at scan_limit, says so, and its cursor continues without gaps or repeats", async () => {
  await withAccounts(async ({ enqueue, get }) => {
    const made = [];
    for (let i = 0; i < 7; i++) made.push(await enqueue("account", { user_id: i % 2 }));
    const odd = made.filter((_, i) => i % 2 === 1).map((job) => job.id).reverse();
    const seen: string[] = [];
    let cursor: string | null = null;
    let capped = 0;
    do {
      const query: string = `/jobs?input.user_id=1&scan_limit=3&limit=2` +
        (cursor ? `&cursor=${encodeURIComponent(cursor)}` : "");
      const body = await (await get(query)).json();
      assert(body.scan.scanned <= 3 && body.jobs.length <= 2, JSON.stringify(body.scan));
      if (body.scan.capped) capped++;
      seen.push(...ids(body));
      cursor = body.next_cursor;
    } while (cursor);
    assertEquals(seen, odd);
    assert(capped > 0, "some page stopped at the cap");
  });
});

Deno.test("GET /jobs refuses a bad search naming the field", async () => {
  await withAccounts(async ({ get }) => {
    const cases: [string, string][] = [
      ["/jobs?id_prefix=01K!", "id_prefix"],
      ["/jobs?input.user.id=1", "input.user.id"],
      ["/jobs?inputs.user_id=1", "inputs.user_id"],
      ["/jobs?input.a=1&input.b=1&input.c=1&input.d=1&input.e=1&input.f=1", "input"],
      ["/jobs?input.a=1&scan_limit=5001", "scan_limit"],
      ["/jobs?input.a=1&scan_limit=0", "scan_limit"],
      ["/jobs?scan_limit=10", "scan_limit"],
      ["/jobs?input.a=1&cursor=01K4", "cursor"],
    ];
    for (const [path, field] of cases) {
      const error = await assertError(await get(path), 422, "invalid_input");
      const named = (error.issues as { path: string }[]).map((issue) => issue.path);
      assert(named.includes(field), `${path}: ${JSON.stringify(error)}`);
    }
  });
});
