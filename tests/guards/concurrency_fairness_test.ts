import { z } from "zod";
import { assert, assertEquals } from "../assert.ts";
import { defineTask } from "../../src/registry/define_task.ts";
import { Registry } from "../../src/registry/registry.ts";
import { createTestQueue } from "../../src/testing/mod.ts";

const LIMIT = 5;

Deno.test("a key with 1,000 waiting jobs does not delay another key's 5 (real worker, fake clock)", async () => {
  const finished: string[] = [];
  const running = new Map<string, number>();
  let most = 0;
  const sync = defineTask({
    name: "sync",
    input: z.object({ tenant: z.string(), n: z.number() }),
    concurrency: { key: (input) => input.tenant, limit: LIMIT },
    handler: async ({ tenant }) => {
      running.set(tenant, (running.get(tenant) ?? 0) + 1);
      most = Math.max(most, running.get(tenant)!);
      await new Promise((resolve) => setTimeout(resolve, 0));
      // Each job takes a millisecond of the queue's time.
      queue.clock.advance(1);
      running.set(tenant, running.get(tenant)! - 1);
      finished.push(tenant);
    },
  });
  await using queue = await createTestQueue({ registry: new Registry([sync]), concurrency: 8 });
  for (let chunk = 0; chunk < 10; chunk++) {
    await queue.producer.enqueueMany(
      Array.from({ length: 100 }, (_, i) => ({
        task: "sync",
        input: { tenant: "a", n: chunk * 100 + i },
      })),
    );
  }
  queue.clock.advance(1);
  await queue.producer.enqueueMany(
    Array.from({ length: 5 }, (_, n) => ({ task: "sync", input: { tenant: "b", n } })),
  );
  await queue.drain();
  assertEquals(finished.length, 1_005);
  const lastB = finished.lastIndexOf("b");
  const aBefore = finished.slice(0, lastB).filter((tenant) => tenant === "a").length;
  assert(aBefore < 2 * LIMIT, `${aBefore} of key a's jobs finished before key b's 5`);
  assertEquals(most, LIMIT);
});
