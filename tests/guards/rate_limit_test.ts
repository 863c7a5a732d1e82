import { assertEquals, assertThrows } from "../assert.ts";
import { z } from "zod";
import {
  giveBackStarts,
  liveStarts,
  reserveStarts,
  windowFreesAt,
} from "../../src/guards/rate_limit_window.ts";
import { collectRateLimits } from "../../src/guards/rate_limit.ts";
import { defineTask } from "../../src/registry/define_task.ts";
import { Registry } from "../../src/registry/registry.ts";
import { withApi } from "../http/setup.ts";

Deno.test("a window reserves its free starts, then frees its oldest start after per ms", () => {
  const limit = { max: 2, per: 1_000 };
  const first = reserveStarts([], { limit, now: 100, want: 3 });
  assertEquals(first, { starts: [100, 100], reserved: 2 });
  assertEquals(windowFreesAt(first.starts, { limit, now: 100 }), 1_100);
  assertEquals(reserveStarts(first.starts, { limit, now: 1_099, want: 1 }).reserved, 0);
  assertEquals(reserveStarts(first.starts, { limit, now: 1_100, want: 1 }).starts, [1_100]);
  assertEquals(liveStarts([100, 600], 1_100, 1_000), [600]);
});

Deno.test("giving back takes out only starts made at the reservation's time", () => {
  assertEquals(giveBackStarts([50, 100, 100, 100], { now: 100, count: 2 }), [50, 100]);
  assertEquals(giveBackStarts([50], { now: 100, count: 2 }), [50], "expired meanwhile");
});

Deno.test("bad rate limits are refused where they are defined", () => {
  const input = z.object({});
  const task = assertThrows(
    () => defineTask({ name: "x", input, rateLimit: { max: 0, per: 1_000 }, handler: () => 1 }),
    RangeError,
  );
  assertEquals(task.message.startsWith('rate limit of task "x"'), true);
  const queue = assertThrows(
    () => new Registry([], { queueRateLimits: { mail: { max: 1, per: 1.5 } } }),
    RangeError,
  );
  assertEquals(queue.message.startsWith('rate limit of queue "mail"'), true);
});

Deno.test("workers without limits claim on the plain path", () => {
  const task = defineTask({ name: "t", input: z.object({}), handler: () => 1 });
  assertEquals(collectRateLimits([task], {}), undefined);
  const limited = { ...task, rateLimit: { max: 1, per: 10 } };
  assertEquals(collectRateLimits([limited], {})?.tasks, { t: { max: 1, per: 10 } });
});

Deno.test("GET /tasks shows each task's rate limit", async () => {
  await withApi(async ({ get }) => {
    const { tasks } = await (await get("/tasks")).json();
    for (const task of tasks) assertEquals(task.rate_limit, null);
  });
});
