/**
 * Issue #14, case 4: strings that are not well-formed Unicode. Lone surrogates all became
 * U+FFFD on the way into a store, so idempotency keys "\ud800", "\udbff" and "\ufffd" named
 * one job, and lone surrogates as group keys collided (500 on KV, 503 on Redis); NUL was
 * taken inside group keys. Now such keys are refused with 422 naming the field, and
 * "\ufffd" (a valid character) is a key like any other.
 */
import { assert, assertEquals } from "../assert.ts";
import { InvalidInputError } from "../../src/errors.ts";
import { bothStores, refusedPaths } from "./stores.ts";
import { runTq, tempDb } from "../integration/tq_process.ts";

const LONE = ["\ud800", "\udbff", "a\udc00b", "\udc00\ud800"];
const CONTROL = ["a\u0000b", "\u0000", "tab\there", "line\nbreak", "\u007f", "\u0085"];

bothStores(
  "idempotency keys with lone surrogates or control characters are refused",
  async (api) => {
    for (const key of [...LONE, ...CONTROL]) {
      const res = await api.request("POST", "/jobs", {
        task: "noop",
        input: {},
        idempotency_key: key,
      });
      assertEquals(await refusedPaths(res), ["idempotency_key"], JSON.stringify(key));
      const query = await api.request(
        "POST",
        `/tasks/noop?idempotency_key=${encodeURIComponent(key.isWellFormed() ? key : "x")}`,
        {},
      );
      if (key.isWellFormed()) assertEquals(await refusedPaths(query), ["idempotency_key"]);
      else await query.body?.cancel();
      const error = await api.producer.enqueue({ task: "noop", input: {}, idempotencyKey: key })
        .catch((e) => e);
      assert(error instanceof InvalidInputError, JSON.stringify(key));
      const bulk = await api.request("POST", "/jobs/bulk", {
        jobs: [{ task: "noop", input: {} }],
        idempotency_key: key,
      });
      assertEquals(await refusedPaths(bulk), ["idempotency_key"], JSON.stringify(key));
    }
    // Only the "x" keys of the query requests above were stored: one job.
    assertEquals((await api.store.jobList({ limit: 100 })).jobs.length, 1);
  },
);

bothStores("U+FFFD and other valid keys are distinct keys, each with its own job", async (api) => {
  const ids = new Set<string>();
  for (const key of ["\ufffd", "\ufffd\ufffd", "?", "\u{1f600}", "é"]) {
    const res = await api.request("POST", "/jobs", {
      task: "noop",
      input: {},
      idempotency_key: key,
    });
    assertEquals(res.status, 202, JSON.stringify(key));
    ids.add((await res.json()).job_id);
    const again = await api.request("POST", "/jobs", {
      task: "noop",
      input: {},
      idempotency_key: key,
    });
    assertEquals(again.status, 200);
    assert(ids.has((await again.json()).job_id));
  }
  assertEquals(ids.size, 5);
});

bothStores("group keys with lone surrogates or control characters are refused", async (api) => {
  for (const group of [...LONE, ...CONTROL]) {
    const res = await api.request("POST", "/jobs", { task: "noop", input: {}, group });
    assertEquals(await refusedPaths(res), ["group"], JSON.stringify(group));
    const error = await api.producer.enqueue({ task: "noop", input: {}, group }).catch((e) => e);
    assert(error instanceof InvalidInputError, JSON.stringify(group));
  }
  assertEquals((await api.store.jobList({ limit: 100 })).jobs, []);
  for (const group of ["\ufffd", "user:42"]) {
    const res = await api.request("POST", "/jobs", { task: "noop", input: {}, group });
    assertEquals(res.status, 202, JSON.stringify(group));
    await res.body?.cancel();
  }
});

Deno.test("tq enqueue refuses the same keys and out-of-range durations from the shell", async () => {
  const { db, cleanup } = await tempDb();
  try {
    for (const bad of ["a\tb", "\u0085"]) {
      const key = await runTq(["enqueue", "noop", "{}", "--db", db, "--idempotency-key", bad]);
      assertEquals(key.code, 1, key.stderr);
      assert(key.stderr.includes("idempotency_key"), key.stderr);
    }
    const delay = await runTq(["enqueue", "noop", "{}", "--db", db, "--delay", "99999999d"]);
    assertEquals(delay.code, 2, delay.stderr);
    assert(delay.stderr.includes("--delay"), delay.stderr);
  } finally {
    await cleanup();
  }
});
