import { assertEquals } from "../assert.ts";
import { StoreUnavailableError } from "../../src/errors.ts";
import type { Store } from "../../src/store/store.ts";
import { assertError, override, withApi } from "./setup.ts";

/** A store whose `method` throws `error`, the rest working as usual. */
function failing(method: keyof Store, error: Error) {
  return (store: Store): Store => override(store, { [method]: () => Promise.reject(error) });
}

Deno.test("GET /healthz answers 200 when the store answers", async () => {
  await withApi(async ({ get }) => {
    const res = await get("/healthz");
    assertEquals([res.status, await res.json()], [200, { status: "ok" }]);
  });
});

Deno.test("GET /healthz answers 503 when the store is closed", async () => {
  await withApi(async ({ get, store }) => {
    store.close();
    const res = await get("/healthz");
    await assertError(res, 503, "store_unavailable");
    assertEquals(res.headers.get("retry-after"), "1");
  });
});

Deno.test("GET /healthz answers 503 whatever the store throws", async () => {
  await withApi(async ({ get }) => {
    await assertError(await get("/healthz"), 503, "store_unavailable");
  }, failing("ping", new Error("disk gone")));
});

Deno.test("a store that is unavailable answers 503 on any route", async () => {
  await withApi(async ({ get }) => {
    await assertError(await get("/queues"), 503, "store_unavailable");
  }, failing("queueCounts", new StoreUnavailableError("redis down")));
});

Deno.test("an unexpected error answers 500 internal without its details", async () => {
  await withApi(async ({ get }) => {
    const error = await assertError(await get("/queues"), 500, "internal");
    assertEquals(error, { code: "internal", message: "internal server error" });
  }, failing("queueCounts", new Error("secret key layout")));
});
