import { assertEquals } from "./assert.ts";
import { retryDelay } from "../src/backoff.ts";

const backoff = { baseMs: 1_000, maxMs: 60_000 };

Deno.test("retryDelay doubles with each attempt", () => {
  const top = (attempt: number) => retryDelay(backoff, attempt, () => 1);
  assertEquals([1, 2, 3, 4].map(top), [1_000, 2_000, 4_000, 8_000]);
});

Deno.test("retryDelay never exceeds its cap", () => {
  assertEquals(retryDelay(backoff, 30, () => 1), 60_000);
  assertEquals(retryDelay(backoff, 1_000, () => 1), 60_000);
});

Deno.test("retryDelay jitters between half and all of the delay", () => {
  assertEquals(retryDelay(backoff, 3, () => 0), 2_000);
  assertEquals(retryDelay(backoff, 3, () => 0.5), 3_000);
});
