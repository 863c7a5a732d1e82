/**
 * The package as users get it: `deno publish --dry-run` is clean (no error, no warning),
 * and a KV-only application never loads ioredis.
 */
import { assert, assertEquals } from "./assert.ts";
import { tempDb } from "./integration/tq_process.ts";

const ROOT = new URL("../", import.meta.url).pathname;

async function deno(args: string[]): Promise<{ code: number; output: string; stdout: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    stdin: "null",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code, output: decode(stdout) + decode(stderr), stdout: decode(stdout) };
}

Deno.test("deno publish --dry-run passes with no error and no warning", async () => {
  const { code, output } = await deno(["publish", "--dry-run", "--allow-dirty"]);
  assertEquals(code, 0, output);
  assert(!/warning|error/i.test(output.replace(/^\s+file:\/\/.*$/gm, "")), output);
  assert(output.includes("LICENSE"), output);
});

Deno.test("connect() to a KV file never loads ioredis", async () => {
  const { db, cleanup } = await tempDb();
  try {
    const probe = ["run", "-A", "--unstable-kv", "tests/fixtures/ioredis_probe.ts"];
    const control = await deno([...probe, "redis"]);
    assert(Number(control.stdout) > 0, `the probe sees ioredis once loaded: ${control.output}`);
    const kv = await deno([...probe, "kv", db]);
    assertEquals(kv.code, 0, kv.output);
    assertEquals(Number(kv.stdout), 0, kv.output);
  } finally {
    await cleanup();
  }
});
