/**
 * A KV-only application never loads postgres.js: the PostgreSQL store is reached only by
 * the dynamic import of `src/store/location.ts`, so the static import graph of tq's public
 * surface and of its CLI holds neither the store nor the driver (read from `deno info`).
 */
import { assert } from "../assert.ts";

const ROOT = new URL("../../", import.meta.url);

interface InfoModule {
  specifier: string;
  dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[];
}

/** The modules `entry` loads before running any of its code: static imports only. */
async function staticGraph(entry: string): Promise<{ loaded: Set<string>; all: Set<string> }> {
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "null",
  }).output();
  const info = JSON.parse(new TextDecoder().decode(stdout)) as {
    roots: string[];
    modules: InfoModule[];
  };
  const bySpecifier = new Map(info.modules.map((m) => [m.specifier, m]));
  const loaded = new Set<string>();
  const visit = (specifier: string) => {
    if (loaded.has(specifier)) return;
    loaded.add(specifier);
    for (const dependency of bySpecifier.get(specifier)?.dependencies ?? []) {
      if (dependency.code && !dependency.isDynamic) visit(dependency.code.specifier);
    }
  };
  info.roots.forEach(visit);
  return { loaded, all: new Set(bySpecifier.keys()) };
}

const isPostgres = (specifier: string) =>
  specifier.includes("/src/store/postgres/") || /npm[:/]+postgres@/.test(specifier);

for (const entry of ["src/mod.ts", "main.ts"]) {
  Deno.test(`${entry} loads the PostgreSQL store only when a PostgreSQL store is opened`, async () => {
    const { loaded, all } = await staticGraph(entry);
    assert([...all].some(isPostgres), "the store is in the graph, behind a dynamic import");
    const eager = [...loaded].filter(isPostgres);
    assert(eager.length === 0, `loaded statically: ${eager.join(", ")}`);
  });
}
