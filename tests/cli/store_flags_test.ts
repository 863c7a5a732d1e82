/**
 * The store flags of every command: at most one of `--db`, `--redis`, `--redis-cluster`
 * and `--postgres`; two are a usage error naming both, and a flag together with another
 * store's environment variable is refused as well, before anything is opened.
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

Deno.test("--redis with TQ_POSTGRES_URL set is refused, naming both stores", async () => {
  const { code, stderr } = await runTq(["queues", "--redis", "redis://127.0.0.1:1"], {
    TQ_POSTGRES_URL: "postgres://127.0.0.1:1/x",
  });
  assertEquals(code, 1, stderr);
  assert(stderr.includes("a Redis URL and a PostgreSQL URL are both set"), stderr);
});
