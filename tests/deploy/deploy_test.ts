/**
 * The files under `deploy/`: the Prometheus alert rules pass `promtool check rules` and their
 * unit tests (`promtool test rules`); every PromQL query of the Grafana dashboard and of the
 * KEDA example parses, and every tq metric they name is one `/metrics` serves.
 */
import { assert, assertEquals } from "../assert.ts";
import { withApi } from "../http/setup.ts";

const DEPLOY = new URL("../../deploy/", import.meta.url);
const path = (file: string) => new URL(file, DEPLOY).pathname;

/** Runs promtool; fails loudly when it is missing (.ci/run installs prometheus). */
async function promtool(args: string[], cwd?: string): Promise<{ code: number; output: string }> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("promtool", { args, cwd, stdout: "piped", stderr: "piped" })
      .output();
  } catch (error) {
    throw new Error(
      `promtool not found: install prometheus (.ci/run does: apt-get install -y prometheus) ` +
        `(${(error as Error).message})`,
    );
  }
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: output.code, output: decode(output.stdout) + decode(output.stderr) };
}

/** Checks that each query parses, as recording rules in a throw-away rules file. */
async function assertQueriesParse(queries: string[]): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tq-promql-" });
  try {
    const rules = queries.map((expr, i) => ({
      record: `tq_deploy_check:${i}`,
      // Grafana's variables, as Grafana would fill them in.
      expr: expr.replaceAll("$__rate_interval", "5m").replaceAll("$queue", ".*"),
    }));
    // JSON is YAML: promtool reads it as it is.
    await Deno.writeTextFile(
      `${dir}/rules.yml`,
      JSON.stringify({ groups: [{ name: "c", rules }] }),
    );
    const checked = await promtool(["check", "rules", `${dir}/rules.yml`]);
    assertEquals(checked.code, 0, checked.output);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The metric families `/metrics` declares (`# TYPE` lines), with a histogram's series. */
async function servedMetricNames(): Promise<Set<string>> {
  let text = "";
  await withApi(async ({ get }) => {
    text = await (await get("/metrics")).text();
  });
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name);
    if (type === "histogram") {
      for (const s of ["_bucket", "_sum", "_count"]) names.add(name + s);
    }
  }
  return names;
}

function assertServed(queries: string[], served: Set<string>): void {
  for (const query of queries) {
    for (const [name] of query.matchAll(/\btq_[a-z_]+\b/g)) {
      assert(served.has(name), `${name} (in ${query}) is not served on /metrics`);
    }
  }
}

Deno.test("the alert rules pass promtool check rules and their promtool unit tests", async () => {
  const checked = await promtool(["check", "rules", path("prometheus/tq-alerts.yml")]);
  assertEquals(checked.code, 0, checked.output);
  assert(checked.output.includes("SUCCESS"), checked.output);
  const tested = await promtool(["test", "rules", "tq-alerts.test.yml"], path("prometheus"));
  assertEquals(tested.code, 0, tested.output);
});

Deno.test("the alert rules, Grafana dashboard and KEDA example query metrics tq serves", async () => {
  const served = await servedMetricNames();
  assert(served.has("tq_queue_latency_seconds"), [...served].join(" "));

  const rules = await Deno.readTextFile(path("prometheus/tq-alerts.yml"));
  assertServed([rules], served);

  const dashboard = JSON.parse(await Deno.readTextFile(path("grafana/tq-dashboard.json")));
  const exprs: string[] = dashboard.panels.flatMap((p: { targets: { expr: string }[] }) =>
    p.targets.map((t) => t.expr)
  );
  assert(exprs.some((e) => e.includes("tq_queue_latency_seconds")), "a latency panel");
  await assertQueriesParse(exprs);
  assertServed(exprs, served);

  const keda = await Deno.readTextFile(path("keda/tq-worker-scaledobject.yaml"));
  assert(keda.includes("kind: ScaledObject") && keda.includes("type: prometheus"), keda);
  const query = keda.match(/^\s+query: (.+)$/m)?.[1] ?? "";
  assert(query.includes("tq_queue_latency_seconds"), `query: ${query}`);
  await assertQueriesParse([query]);
  assertServed([query], served);
});
