/**
 * JSON log lines: built from pre-stringified parts on the hot path, they stay byte for byte
 * what `JSON.stringify` of the whole line object gives, whatever the fields are called.
 */
import fc from "fast-check";
import { assert, assertEquals } from "./assert.ts";
import { createLogger, type LogLevel } from "../src/log.ts";

/** Keys that move in a line object: the line's own, integer-like ones, and plain ones. */
const key = fc.oneof(
  fc.constantFrom("time", "level", "event", "worker_id", "job_id", "0", "7", "10", "01", "-1"),
  fc.string({ maxLength: 6 }),
);
const value = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
);
const fields = fc.dictionary(key, value, { maxKeys: 5 });

Deno.test("a JSON line is JSON.stringify of time, level, event, bound fields and fields", () => {
  fc.assert(
    fc.property(
      fields,
      fields,
      fields,
      fc.constantFrom<LogLevel>("debug", "info", "warn", "error"),
      fc.string({ maxLength: 10 }),
      (outer, inner, own, level, event) => {
        const lines: string[] = [];
        const logger = createLogger({ level: "debug", format: "json", write: (l) => lines.push(l) })
          .with(outer).with(inner);
        logger[level](event, own);
        const { time } = JSON.parse(lines[0]);
        const expected = JSON.stringify({ time, level, event, ...outer, ...inner, ...own });
        assertEquals(lines[0], expected);
      },
    ),
    { numRuns: 2_000 },
  );
});

Deno.test("a JSON line carries the time it was written, to the millisecond", () => {
  const lines: string[] = [];
  const before = Date.now();
  createLogger({ format: "json", write: (l) => lines.push(l) }).info("job:started");
  const time = Date.parse(JSON.parse(lines[0]).time);
  assert(time >= before && time <= Date.now());
});

/** The events of the JSON lines a script writes to stderr, whether it succeeded, and stderr. */
async function runLogging(body: string) {
  const script = `import { createLogger } from "${new URL("../src/log.ts", import.meta.url)}";
const log = createLogger({ format: "json" });
${body}`;
  const { success, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stderr);
  const events = text.split("\n").filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line).event);
  return { success, events, text };
}

Deno.test("lines logged in one task are written whole and in order from the next", async () => {
  const { success, events } = await runLogging(`
for (let i = 0; i < 5_000; i++) log.info("burst", { i, pad: "x".repeat(40) });
setTimeout(() => log.info("later"), 0);`);
  assert(success);
  assertEquals(events.length, 5_001);
  assertEquals(events.at(-1), "later");
});

Deno.test("lines logged before Deno.exit(), an uncaught error or an unhandled rejection are written", async () => {
  const exit = await runLogging(`log.info("a"); log.info("b"); Deno.exit(3);`);
  assertEquals(exit.events, ["a", "b"]);
  const thrown = await runLogging(`
log.info("a");
setTimeout(() => { log.info("b"); throw new Error("boom"); }, 0);`);
  assert(!thrown.success && thrown.text.includes("boom"));
  assertEquals(thrown.events, ["a", "b"]);
  const rejected = await runLogging(`log.info("a"); Promise.reject(new Error("boom"));`);
  assert(!rejected.success && rejected.text.includes("boom"));
  assertEquals(rejected.events, ["a"]);
});
