import { assertEquals } from "../assert.ts";
import { analyseExecutions } from "./executions.ts";

Deno.test("a rerun is explained only by the death of the earlier execution's process", () => {
  const lines = [
    { kind: "start", job: "a", pid: 1, attempt: 1, at: 10 },
    { kind: "start", job: "a", pid: 2, attempt: 2, at: 50 },
    { kind: "end", job: "a", pid: 2, attempt: 2, at: 60 },
    { kind: "start", job: "b", pid: 2, attempt: 1, at: 10 },
    { kind: "end", job: "b", pid: 2, attempt: 1, at: 20 },
    { kind: "start", job: "b", pid: 3, attempt: 2, at: 30 },
  ] as const;
  const report = analyseExecutions([...lines], new Map([[1, 20]]));
  assertEquals([report.executions, report.reruns, report.jobsRunTwice], [4, 2, 2]);
  assertEquals(report.unexplained.map((e) => e.job), ["b"]);
  assertEquals(report.overlaps.length, 0);
  assertEquals(report.minHandoverMs, 10);
});

Deno.test("two executions of one job at the same time are reported as an overlap", () => {
  const report = analyseExecutions([
    { kind: "start", job: "a", pid: 1, attempt: 1, at: 10 },
    { kind: "start", job: "a", pid: 2, attempt: 2, at: 15 },
    { kind: "end", job: "a", pid: 1, attempt: 1, at: 20 },
  ], new Map([[1, 30]]));
  assertEquals(report.overlaps.length, 1);
});
