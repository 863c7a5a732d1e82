/**
 * Conformance of the keyed records (`src/store/records.ts`): what sessions, the worker
 * registry, queue pauses and task holds are written over. Registered from
 * `runStoreConformance` for every real store, and run on the in-memory records the
 * features' unit tests use (`memory_records_test.ts`), so both behave alike.
 *
 * @example
 * ```ts ignore
 * runRecordConformance(test);
 * ```
 * @module
 */
import { assert, assertEquals } from "../assert.ts";
import type { RecordStore } from "./memory_records.ts";

type Test = (name: string, fn: (store: RecordStore) => Promise<void>) => void;

/** Registers the keyed record tests with a backend's `test`. */
export function runRecordConformance(test: Test): void {
  test("a record reads back as written, lists by key within its space only, and goes when deleted", async (store) => {
    const session = { role: "admin", csrf: "c", expiresAt: 5, nested: { list: [1, "two"] } };
    assertEquals(await store.recordGet({ space: "session", key: "a" }), null);
    await store.recordPut({ space: "session", key: "b", value: session, ttlMs: 3_600_000 });
    await store.recordPut({ space: "session", key: "a", value: true });
    await store.recordPut({ space: "worker", key: "a", value: 1 });
    await store.recordPut({ space: "session", key: "a", value: "again" }); // replaces
    assertEquals((await store.recordGet({ space: "session", key: "b" }))?.value, session);
    assertEquals(await store.recordList({ space: "session", limit: 10 }), [
      { key: "a", value: "again" },
      { key: "b", value: session },
    ]);
    assertEquals(await store.recordList({ space: "session", limit: 1 }), [
      { key: "a", value: "again" },
    ]);
    await store.recordDelete({ space: "session", key: "a" });
    await store.recordDelete({ space: "session", key: "never" }); // no error
    assertEquals(await store.recordGet({ space: "session", key: "a" }), null);
    assertEquals((await store.recordList({ space: "session", limit: 10 })).map((r) => r.key), [
      "b",
    ]);
    assertEquals((await store.recordGet({ space: "worker", key: "a" }))?.value, 1);
  });

  test("keys list in code-unit order, whatever their characters", async (store) => {
    const keys = ["b", "B", "a:b", "a", "é", "Z9", "mail.high"];
    for (const key of keys) await store.recordPut({ space: "queue_pause", key, value: true });
    assertEquals(
      (await store.recordList({ space: "queue_pause", limit: 100 })).map((r) => r.key),
      [...keys].sort(),
    );
  });

  test("a prefix lists only its keys, in key order, from a bound on", async (store) => {
    const keys = ["a", "a:", "a:1", "a:2", "a:10", "a;", "ab", "b:1", "a:\u{10ffff}"];
    for (const key of keys) await store.recordPut({ space: "event", key, value: key });
    await store.recordDelete({ space: "event", key: "a:2" });
    const list = async (params: { prefix?: string; from?: string; limit?: number }) =>
      (await store.recordList({ space: "event", limit: 10, ...params })).map((r) => r.key);
    assertEquals(await list({ prefix: "a:", limit: 2 }), ["a:", "a:1"]);
    assertEquals(await list({ prefix: "a:" }), [
      "a:",
      "a:1",
      "a:10",
      "a:\u{10ffff}",
    ]);
    assertEquals(await list({ prefix: "a:", from: "a:10" }), ["a:10", "a:\u{10ffff}"]);
    assertEquals(await list({ prefix: "a:", from: "a" }), await list({ prefix: "a:" }));
    assertEquals(await list({ prefix: "a:", from: "b" }), []);
    assertEquals(await list({ from: "ab" }), ["ab", "b:1"]);
    assertEquals(await list({ prefix: "c" }), []);
  });

  test("a conditional write holds only while the record is as read", async (store) => {
    const at = { space: "task_hold", key: "send" };
    assert(await store.recordPut({ ...at, value: { until: 5 }, ifVersion: null }));
    assertEquals(await store.recordPut({ ...at, value: { until: 1 }, ifVersion: null }), false);
    const read = await store.recordGet(at);
    assert(read);
    assert(await store.recordPut({ ...at, value: { until: 9 }, ifVersion: read.version }));
    const again = { ...at, value: { until: 7 }, ifVersion: read.version };
    assertEquals(await store.recordPut(again), false, "written meanwhile: the version moved on");
    assertEquals((await store.recordGet(at))?.value, { until: 9 });
    await store.recordDelete(at);
    assertEquals(await store.recordPut({ ...at, value: 3, ifVersion: read.version }), false);
    assert(await store.recordPut({ ...at, value: 3, ifVersion: null }), "gone: none to hold");
  });
}
