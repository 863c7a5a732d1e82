import { assert, assertEquals, assertThrows } from "./assert.ts";
import { DEFAULT_RETRY_AFTER_MS, isRateLimited } from "../src/errors.ts";
import { RateLimitedError } from "../src/mod.ts";
import { errorFrom, errorMessage } from "../src/isolation/protocol.ts";

const answer = (retryAfter?: string) =>
  new Response(null, { status: 429, headers: retryAfter ? { "retry-after": retryAfter } : {} });

Deno.test("RateLimitedError.fromResponse reads Retry-After in seconds", () => {
  assertEquals(RateLimitedError.fromResponse(answer("120")).retryAfterMs, 120_000);
  assertEquals(RateLimitedError.fromResponse(answer(" 0 ")).retryAfterMs, 0);
});

Deno.test("RateLimitedError.fromResponse reads Retry-After as an HTTP date", () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  const error = RateLimitedError.fromResponse(answer("Thu, 01 Jan 2026 12:00:30 GMT"), { now });
  assertEquals(error.retryAfterMs, 30_000);
  const past = RateLimitedError.fromResponse(answer("Thu, 01 Jan 2026 11:00:00 GMT"), { now });
  assertEquals(past.retryAfterMs, 0);
});

Deno.test("RateLimitedError.fromResponse falls back to the default without a usable header", () => {
  assertEquals(RateLimitedError.fromResponse(answer()).retryAfterMs, DEFAULT_RETRY_AFTER_MS);
  assertEquals(RateLimitedError.fromResponse(answer("soon")).retryAfterMs, DEFAULT_RETRY_AFTER_MS);
  assertEquals(RateLimitedError.fromResponse(answer(), { defaultMs: 5 }).retryAfterMs, 5);
  assert(RateLimitedError.fromResponse(answer("1"), { pauseTask: true }).pauseTask);
});

Deno.test("RateLimitedError refuses a negative wait and cuts a huge one to a day", () => {
  assertThrows(() => new RateLimitedError(-1), RangeError);
  assertThrows(() => new RateLimitedError(NaN), RangeError);
  assertEquals(new RateLimitedError(1e12).retryAfterMs, 86_400_000);
  assertEquals(RateLimitedError.fromResponse(answer("99999999999")).retryAfterMs, 86_400_000);
});

Deno.test("a RateLimitedError keeps its class, wait and pauseTask across a thread or process", () => {
  const sent = JSON.parse(
    JSON.stringify(errorMessage(new RateLimitedError(750, { pauseTask: true }))),
  );
  const copy = errorFrom(sent);
  assert(copy instanceof RateLimitedError);
  assertEquals([copy.retryAfterMs, copy.pauseTask, copy.name], [750, true, "RateLimitedError"]);
  assert(
    !(errorFrom(JSON.parse(JSON.stringify(errorMessage(new Error("x"))))) instanceof
      RateLimitedError),
  );
});

Deno.test("isRateLimited knows a RateLimitedError from another copy of the module by its fields", () => {
  const foreign = Object.assign(new Error("limited"), {
    name: "RateLimitedError",
    retryAfterMs: 10,
  });
  assert(isRateLimited(foreign));
  assert(!isRateLimited(Object.assign(new Error("x"), { name: "RateLimitedError" })));
});
