/**
 * The replay guard and the bookkeeping of durable steps, without a store: what is recorded,
 * what is replayed, and the errors that name the step at fault.
 */
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { StepError } from "../../src/errors.ts";
import type { JobStep } from "../../src/job.ts";
import { DurableSteps, JobSuspended } from "../../src/steps/durable_steps.ts";

function steps(stored: JobStep[] = [], now = 1_000) {
  const recorded: JobStep[] = [];
  const durable = new DurableSteps({
    steps: stored,
    attempt: 2,
    now: () => now,
    record: (step) => Promise.resolve(void recorded.push(step)),
  });
  return { durable, recorded };
}

const finished = (name: string, result: unknown): JobStep => ({
  name,
  kind: "run",
  state: "finished",
  attempt: 1,
  startedAt: 0,
  finishedAt: 1,
  result,
});

Deno.test("a finished step returns its stored result without calling its function", async () => {
  const { durable, recorded } = steps([finished("export", { rows: 3 })]);
  let calls = 0;
  assertEquals(await durable.step("export", () => ++calls), { rows: 3 });
  assertEquals(await durable.step("delete", () => ++calls), 1);
  assertEquals(calls, 1);
  assertEquals(recorded.map((s) => [s.name, s.state, s.attempt, s.result]), [
    ["delete", "finished", 2, 1],
  ]);
});

Deno.test("replay that reaches another step at a stored position names both steps", async () => {
  const { durable } = steps([finished("export", 1), finished("delete", 2)]);
  await durable.step("export", () => 1);
  const error = await assertRejects(() => durable.step("email", () => 3), StepError);
  assert(error.message.includes('"email"') && error.message.includes('"delete"'), error.message);
  assertEquals(error.step, "email");
});

Deno.test("a step name used twice in one job is an error naming it", async () => {
  const { durable } = steps();
  await durable.step("charge", () => 1);
  const error = await assertRejects(() => durable.sleep("charge", 5), StepError);
  assert(error.message.includes('"charge"'), error.message);
});

Deno.test("a step begun while another runs is refused, so the order stays one", async () => {
  const { durable } = steps();
  let release = () => {};
  const first = durable.step("a", () => new Promise<void>((resolve) => release = resolve));
  await assertRejects(() => durable.step("b", () => 2), StepError, 'while step "a"');
  release();
  await first;
});

Deno.test("a failing step is recorded as failed and its error goes to the handler", async () => {
  const { durable, recorded } = steps();
  await assertRejects(() => durable.step("charge", () => Promise.reject(new TypeError("x"))));
  assertEquals(recorded[0].state, "failed");
  assertEquals(recorded[0].error, { name: "TypeError", message: "x" });
});

Deno.test("a step returning what JSON cannot hold fails naming the step", async () => {
  const { durable } = steps();
  await assertRejects(() => durable.step("loop", () => 10n), StepError, 'step "loop"');
});

Deno.test("a sleep suspends until its first end, and is passed once that has come", async () => {
  const first = steps([], 1_000);
  const suspended = await assertRejects(() => first.durable.sleep("nap", 500), JobSuspended);
  assertEquals([suspended.step.state, suspended.step.until], ["sleeping", 1_500]);
  // Replayed early, it keeps its first end; replayed late, it is recorded as passed.
  const early = steps([suspended.step], 1_200);
  const again = await assertRejects(() => early.durable.sleep("nap", 500), JobSuspended);
  assertEquals(again.step.until, 1_500);
  const late = steps([suspended.step], 1_600);
  await late.durable.sleep("nap", 500);
  assertEquals([late.recorded[0].state, late.recorded[0].until], ["finished", 1_500]);
});

Deno.test("a step reached after the handler caught a suspension is an error", async () => {
  const { durable } = steps();
  await durable.waitForEvent("ok", { event: "e", timeoutMs: 10 }).catch(() => {});
  assert(durable.suspension?.kind === "event");
  await assertRejects(() => durable.step("next", () => 1), StepError, "must not catch");
});

Deno.test("a finished wait returns its event's data; bad options are refused", async () => {
  const stored: JobStep = { ...finished("ok", { by: "ana" }), kind: "event" };
  const { durable } = steps([stored]);
  assertEquals(await durable.waitForEvent("ok", { event: "e", timeoutMs: 10 }), { by: "ana" });
  await assertRejects(() => durable.waitForEvent("x", { event: "", timeoutMs: 10 }), TypeError);
  await assertRejects(() => durable.waitForEvent("y", { event: "e", timeoutMs: 0 }), RangeError);
});
