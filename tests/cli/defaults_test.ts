import { assertEquals } from "../assert.ts";
import { WORKER_DEFAULTS } from "../../src/defaults.ts";
import { parseDuration, showDuration } from "../../src/cli/args.ts";
import { WORKER_HELP, workerSettings } from "../../src/cli/worker.ts";

Deno.test("tq worker without options runs with the library's defaults", () => {
  const { concurrency, leaseMs, shutdownTimeoutMs, resultTtlMs, failureTtlMs } = workerSettings(
    {},
  );
  assertEquals(
    { concurrency, leaseMs, shutdownTimeoutMs, resultTtlMs, failureTtlMs },
    WORKER_DEFAULTS,
  );
});

Deno.test("tq worker's help shows the defaults it runs with", () => {
  for (const ms of [WORKER_DEFAULTS.leaseMs, WORKER_DEFAULTS.shutdownTimeoutMs]) {
    assertEquals(WORKER_HELP.includes(`(default ${showDuration(ms)})`), true, `${ms}`);
  }
});

Deno.test("a duration shown in a help text reads back as the same duration", () => {
  for (const ms of [1, 1_500, 30_000, 90_000, 3_600_000, 86_400_000, 604_800_000]) {
    assertEquals(parseDuration("--x", showDuration(ms)), ms, showDuration(ms));
  }
});
