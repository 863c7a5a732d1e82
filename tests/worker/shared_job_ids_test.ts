import { assertEquals, assertThrows } from "../assert.ts";
import { SharedJobIds } from "../../src/worker/shared_job_ids.ts";

const ids = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => `01JD${String(from + i).padStart(22, "0")}`);

Deno.test("SharedJobIds reads an empty list before the first write", () => {
  assertEquals(new SharedJobIds().read(), []);
});

Deno.test("SharedJobIds reads the last list written, through a second view of its buffer", () => {
  const writer = new SharedJobIds();
  const reader = new SharedJobIds(writer.buffer);
  writer.write(ids(3));
  writer.write(ids(2, 10));
  assertEquals(reader.read(), ids(2, 10));
  writer.write([]);
  assertEquals(reader.read(), []);
});

Deno.test("SharedJobIds grows past its first size, and a view made before sees the growth", () => {
  const writer = new SharedJobIds();
  const reader = new SharedJobIds(writer.buffer);
  const many = ids(5_000);
  writer.write(many);
  assertEquals(reader.read(), many);
});

Deno.test("SharedJobIds refuses a list past its largest size and keeps the one before", () => {
  const writer = new SharedJobIds();
  writer.write(ids(2));
  assertThrows(() => writer.write(["x".repeat(30 * 1024 * 1024)]), RangeError);
  assertEquals(writer.read(), ids(2));
});

Deno.test("SharedJobIds is read whole in another thread while the main thread rewrites it", async () => {
  const writer = new SharedJobIds();
  const lists = [ids(40), ids(400, 1_000)];
  const thread = new Worker(
    `data:text/javascript,${
      encodeURIComponent(`
        import { SharedJobIds } from "${new URL(
        "../../src/worker/shared_job_ids.ts",
        import.meta.url,
      )}";
        self.onmessage = (event) => {
          const ids = new SharedJobIds(event.data);
          const lengths = new Set();
          for (let i = 0; i < 2_000; i++) lengths.add(ids.read().length);
          self.postMessage([...lengths]);
        };
      `)
    }`,
    { type: "module" },
  );
  try {
    const seen = new Promise<number[]>((resolve) => thread.onmessage = (e) => resolve(e.data));
    writer.write(lists[0]);
    thread.postMessage(writer.buffer);
    let round = 0;
    const deadline = Date.now() + 10_000;
    let lengths: number[] | undefined;
    seen.then((l) => lengths = l);
    while (!lengths && Date.now() < deadline) {
      writer.write(lists[round++ % 2]);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    // Every read was one of the two lists, never a torn mix of them.
    assertEquals(lengths?.filter((length) => length !== 40 && length !== 400), []);
  } finally {
    thread.terminate();
  }
});
