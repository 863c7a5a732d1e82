/**
 * Imports run downward only (shared/style.md, "Layers"): the faces (`http/`, `cli/`,
 * `worker/`) sit above the features, the features above the store contract. These tests read
 * every module under `src/` and fail on an import that runs the wrong way.
 */
import { assertEquals } from "../assert.ts";

const SRC = new URL("../../src/", import.meta.url);

/** Every `src/` module's relative imports, as paths under `src/`. */
async function importsUnderSrc(): Promise<{ from: string; to: string }[]> {
  const edges: { from: string; to: string }[] = [];
  async function visit(dir: URL): Promise<void> {
    for await (const entry of Deno.readDir(dir)) {
      const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
      if (entry.isDirectory) await visit(url);
      else if (entry.name.endsWith(".ts")) {
        const text = await Deno.readTextFile(url);
        const from = url.href.slice(SRC.href.length);
        // Only code: examples in JSDoc comments start with " * ".
        for (const match of text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+"(\.[^"]+)"/gms)) {
          edges.push({ from, to: new URL(match[1], url).href.slice(SRC.href.length) });
        }
      }
    }
  }
  await visit(SRC);
  return edges;
}

const edges = await importsUnderSrc();
const topOf = (path: string) => path.split("/")[0];

/** The imports of modules under `from` dirs that reach into one of the `to` dirs. */
function crossings(from: string[], to: string[]): string[] {
  return edges
    .filter((edge) => from.includes(topOf(edge.from)) && to.includes(topOf(edge.to)))
    .map((edge) => `${edge.from} → ${edge.to}`);
}

const FEATURES = [
  "batches",
  "callbacks",
  "flows",
  "guards",
  "job_log",
  "maintenance",
  "metrics",
  "presence",
  "scheduler",
  "steps",
  "transitions",
];

Deno.test("no feature, maintenance service or store imports the worker, the HTTP API or the CLI", () => {
  assertEquals(crossings([...FEATURES, "store"], ["worker", "http", "cli"]), []);
});

Deno.test("no store imports the statistics or the job log, which are written above it", () => {
  assertEquals(crossings(["store"], ["metrics", "job_log"]), []);
});

Deno.test("the worker loads neither the HTTP API nor the CLI", () => {
  assertEquals(crossings(["worker", "isolation"], ["http", "cli"]), []);
});

Deno.test("no store imports dependencies, flows or groups: they are written above the contract", () => {
  assertEquals(crossings(["store"], ["flows"]), []);
  const groups = edges.filter((edge) =>
    topOf(edge.from) === "store" && edge.to.startsWith("guards/group")
  );
  assertEquals(groups.map((edge) => `${edge.from} → ${edge.to}`), []);
});

Deno.test("the HTTP API does not import the CLI", () => {
  assertEquals(crossings(["http"], ["cli"]), []);
});

Deno.test("no store imports the rate limits: they are written once, above the contract", () => {
  const rateLimits = edges.filter((edge) =>
    topOf(edge.from) === "store" && edge.to.startsWith("guards/rate_limit")
  );
  assertEquals(rateLimits.map((edge) => `${edge.from} → ${edge.to}`), []);
});

Deno.test("the import reader finds imports, so an empty list above means something", () => {
  const fromWorker = edges.filter((edge) => topOf(edge.from) === "worker");
  assertEquals(fromWorker.some((edge) => topOf(edge.to) === "store"), true);
  assertEquals(crossings(["cli"], ["http"]).length > 0, true);
  assertEquals(edges.some((edge) => edge.to.startsWith("guards/rate_limit")), true);
});
