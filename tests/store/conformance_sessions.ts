/**
 * Conformance of dashboard sessions: a session put is read back as it was, under its own
 * key only, and is gone once deleted. (Expiry is checked by `Sessions` too, since a store
 * may drop an expired record late.) Registered from `runStoreConformance`.
 *
 * @example
 * ```ts ignore
 * runSessionConformance(test);
 * ```
 * @module
 */
import { assertEquals } from "../assert.ts";
import type { SessionRecord } from "../../src/store/sessions.ts";
import type { Store } from "../../src/store/store.ts";

type Test = (name: string, fn: (store: Store) => Promise<void>) => void;

const record = (role: "admin" | "read"): SessionRecord => ({
  role,
  tokenHash: "ab".repeat(32),
  csrf: "csrf-value",
  expiresAt: Date.now() + 60_000,
});

/** Registers the session tests with a backend's `test`. */
export function runSessionConformance(test: Test): void {
  test("a session is kept under its key until deleted", async (store) => {
    const [a, b] = ["a".repeat(64), "b".repeat(64)];
    assertEquals(await store.sessionGet(a), null);
    await store.sessionPut({ key: a, record: record("admin") });
    const kept = record("read");
    await store.sessionPut({ key: b, record: kept });
    assertEquals((await store.sessionGet(a))?.role, "admin");
    assertEquals(await store.sessionGet(b), kept);
    await store.sessionDelete(a);
    assertEquals(await store.sessionGet(a), null);
    assertEquals((await store.sessionGet(b))?.role, "read", "only that session ended");
    await store.sessionDelete(a); // a second logout is no error
  });
}
