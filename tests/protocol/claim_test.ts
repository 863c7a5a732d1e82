/**
 * A protocol worker's claim (`src/protocol/claim.ts`) on a rate-limited external task: the
 * claimed job is handed out even when the give-back of the unused starts fails, and that
 * failure is logged as the TypeScript worker logs it, not dropped.
 */
import { z } from "zod";
import { assertEquals } from "../assert.ts";
import { FakeClock } from "../../src/clock.ts";
import { createLogger } from "../../src/log.ts";
import { openKvStore } from "../../src/open_kv_store.ts";
import { Producer } from "../../src/producer.ts";
import { protocolClaim } from "../../src/protocol/claim.ts";
import { defineTask } from "../../src/registry/define_task.ts";
import { Registry } from "../../src/registry/registry.ts";
import { override } from "../http/setup.ts";

const pyLimited = defineTask({
  name: "py_limited",
  queue: "python",
  input: z.unknown(),
  rateLimit: { max: 5, per: 1_000 },
});

Deno.test("a protocol claim whose give-back fails hands out its job and logs the failure", async () => {
  const clock = new FakeClock();
  const real = await openKvStore(":memory:", { clock });
  const registry = new Registry([pyLimited]);
  await new Producer({ store: real, registry, clock }).enqueue({ task: "py_limited", input: {} });
  // The first record commit reserves the starts; the second, the give-back of 4, fails.
  let commits = 0;
  const store = override(real, {
    recordCommit: (params) =>
      ++commits > 1 ? Promise.reject(new Error("store gone")) : real.recordCommit(params),
  });
  const lines: string[] = [];
  const logger = createLogger({ format: "json", write: (line) => lines.push(line) });
  const claimed = await protocolClaim({ store, registry, clock, logger }, {
    queues: ["python"],
    worker: "py-1",
    limit: 10,
    leaseMs: 30_000,
    waitMs: 0,
  }).finally(() => real.close());
  assertEquals(claimed.map(({ job }) => job.task), ["py_limited"]);
  const warned = lines.map((line) => JSON.parse(line));
  assertEquals(
    warned.map(({ level, event, error }) => [level, event, error]),
    [["warn", "rate_limit:claim_incomplete", "Error: store gone"]],
  );
});
