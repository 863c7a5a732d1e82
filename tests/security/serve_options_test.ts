/**
 * `tq serve`'s security options from the command line: it will not listen beyond
 * loopback without a token, and refuses weak or unreadable tokens, with one clear line.
 */
import { assert, assertEquals } from "../assert.ts";
import { runTq, tempDb, TqProcess } from "../integration/tq_process.ts";

Deno.test("tq serve refuses to listen beyond loopback without a token", async () => {
  const { db, dir, cleanup } = await tempDb();
  try {
    const open = await runTq(["serve", "--host", "0.0.0.0", "--port", "0", "--db", db]);
    assertEquals(open.code, 2, open.stderr);
    assert(open.stderr.includes("refusing to listen on 0.0.0.0 without an API token"));
    assert(open.stderr.includes("--insecure"), open.stderr);

    await Deno.writeTextFile(`${dir}/weak`, "short\n");
    const weak = await runTq(["serve", "--token-file", `${dir}/weak`, "--db", db]);
    assertEquals(weak.code, 2, weak.stderr);
    assert(weak.stderr.includes("at least 16 characters"), weak.stderr);

    const missing = await runTq(["serve", "--token-file", `${dir}/nope`, "--db", db]);
    assertEquals(missing.code, 2, missing.stderr);
    assert(missing.stderr.includes(`cannot read ${dir}/nope`), missing.stderr);
    assertEquals(missing.stderr.trim().split("\n").length, 1, "one line");
  } finally {
    await cleanup();
  }
});

Deno.test("tq serve with --token-file wants the token on every route but /healthz", async () => {
  const { db, dir, cleanup } = await tempDb();
  const token = "file-token-0123456789abcdef";
  await Deno.writeTextFile(`${dir}/token`, `${token}\n`);
  const server = TqProcess.start([
    "serve",
    "--port",
    "0",
    "--token-file",
    `${dir}/token`,
    "--db",
    db,
  ]);
  try {
    const base = await server.url();
    assertEquals((await (await fetch(`${base}/healthz`)).json()).status, "ok");
    const refused = await fetch(`${base}/queues`);
    assertEquals([refused.status, (await refused.json()).error.code], [401, "unauthorized"]);
    const ok = await fetch(`${base}/queues`, { headers: { authorization: `Bearer ${token}` } });
    assertEquals(ok.status, 200);
    await ok.body?.cancel();
  } finally {
    await server.stop();
    await cleanup();
  }
});
