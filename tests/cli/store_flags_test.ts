/**
 * The store flags of every command: at most one of `--db`, `--redis`, `--redis-cluster`
 * and `--postgres`; two are a usage error naming both. A flag beats the store variables of
 * the environment (the library's rule, `tests/store_options_test.ts`).
 */
import { assert, assertEquals } from "../assert.ts";
import { runTq } from "../integration/tq_process.ts";

Deno.test("two store flags are a usage error naming both", async () => {
  const { code, stderr } = await runTq([
    "queues",
    "--redis",
    "redis://127.0.0.1:1",
    "--postgres",
    "postgres://127.0.0.1:1/x",
  ]);
  assertEquals(code, 2, stderr);
  assert(stderr.includes("--redis and --postgres name different stores"), stderr);
});

Deno.test("a store flag beats the store variables of the environment", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/missing.db`;
    const { code, stderr } = await runTq(["queues", "--db", path], {
      TQ_REDIS_URL: "redis://127.0.0.1:1",
      TQ_POSTGRES_URL: "postgres://127.0.0.1:1/x",
    });
    assertEquals(code, 2, stderr);
    assert(stderr.includes(`--db ${path}: no tq store there`), stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
