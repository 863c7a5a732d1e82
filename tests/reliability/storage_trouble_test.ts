/**
 * Storage trouble: a corrupted KV file, a file locked by a stuck process, a read-only
 * file and a full disk each give one clear error line and a non-zero exit within a
 * bounded time (or, for a disk filling up under `tq serve`, a 503 per refused job and no
 * half-written job), never a crash loop or a silent hang.
 *
 * The full-disk and read-only cases mount a tiny tmpfs and so need root; elsewhere they
 * are skipped with the reason printed.
 */
import { openKvStore } from "../../src/open_kv_store.ts";
import { assert, assertEquals } from "../assert.ts";
import { runTq, tempDb, TqProcess } from "../integration/tq_process.ts";
import { checkConsistency } from "./consistency.ts";

/** `tq worker` on `db`: its exit code, its stderr, and how long it took. */
async function workerOn(db: string) {
  const started = Date.now();
  const { code, stderr } = await runTq(["worker", "--db", db]);
  return { code, stderr: stderr.trim(), ms: Date.now() - started };
}

function assertClearFailure(
  result: { code: number; stderr: string; ms: number },
  words: RegExp,
  maxMs: number,
) {
  assertEquals(result.code, 1, result.stderr);
  assertEquals(result.stderr.split("\n").length, 1, `one line, got:\n${result.stderr}`);
  assert(result.stderr.startsWith("tq: ") && words.test(result.stderr), result.stderr);
  assert(result.ms < maxMs, `took ${result.ms} ms`);
}

/** A tmpfs of `size` at a fresh dir, or null (with the reason printed) when not root. */
async function tinyDisk(size: string): Promise<{ dir: string; remove(): Promise<void> } | null> {
  if (Deno.uid() !== 0) {
    console.log("skipped: mounting a tmpfs needs root");
    return null;
  }
  const dir = await Deno.makeTempDir({ prefix: "tq-disk-" });
  const mount = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir],
  })
    .output();
  if (!mount.success) {
    console.log(`skipped: mount failed: ${new TextDecoder().decode(mount.stderr).trim()}`);
    await Deno.remove(dir);
    return null;
  }
  return {
    dir,
    async remove() {
      await new Deno.Command("umount", { args: [dir] }).output();
      await Deno.remove(dir);
    },
  };
}

Deno.test("a corrupted KV file: one clear error, exit 1", async () => {
  const { db, cleanup } = await tempDb();
  try {
    await Deno.writeFile(db, crypto.getRandomValues(new Uint8Array(16_384)));
    assertClearFailure(await workerOn(db), /not a database/, 10_000);
  } finally {
    await cleanup();
  }
});

Deno.test("a KV file locked by a stuck process: exit 1 within seconds, not a hang", async () => {
  const { db, cleanup } = await tempDb();
  const store = await openKvStore(db);
  store.close();
  const holder = new Deno.Command("python3", {
    args: [
      "-c",
      `import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(60)`,
      db,
    ],
    stdout: "piped",
  }).spawn();
  try {
    const reader = holder.stdout.pipeThrough(new TextDecoderStream()).getReader();
    assertEquals((await reader.read()).value?.trim(), "locked");
    assertClearFailure(await workerOn(db), /holds its lock/, 12_000);
    const serve = await runTq(["serve", "--port", "0", "--db", db]);
    assertEquals(serve.code, 1, serve.stderr);
    reader.releaseLock();
  } finally {
    holder.kill("SIGKILL");
    await holder.status;
    await holder.stdout.cancel().catch(() => {});
    await cleanup();
  }
});

Deno.test("a read-only KV file: one clear error, exit 1", async () => {
  const disk = await tinyDisk("1m");
  if (!disk) return;
  try {
    const db = `${disk.dir}/tq.db`;
    (await openKvStore(db)).close();
    const remount = await new Deno.Command("mount", { args: ["-o", "remount,ro", disk.dir] })
      .output();
    assert(remount.success, "remount read-only");
    // SQLite cannot create its WAL files next to the database, so the open itself fails.
    assertClearFailure(await workerOn(db), /cannot open KV file .*unable to open/, 10_000);
  } finally {
    await disk.remove();
  }
});

Deno.test("a full disk: exit 1 at start; under tq serve, 503s and no half-written job", async () => {
  const disk = await tinyDisk("512k");
  if (!disk) return;
  const db = `${disk.dir}/tq.db`;
  let server: TqProcess | undefined;
  try {
    server = TqProcess.start(["serve", "--port", "0", "--db", db]);
    const base = await server.url();
    const message = "x".repeat(9_000);
    const accepted: string[] = [];
    let refused: { status: number; body: { error: { code: string; message: string } } } | undefined;
    for (let i = 0; i < 200 && !refused; i++) {
      const res = await fetch(`${base}/tasks/send_notification`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "ada@example.com", message }),
      });
      const body = await res.json();
      if (res.status === 202) accepted.push(body.job_id);
      else refused = { status: res.status, body };
    }
    assert(refused, "the disk never filled up");
    assertEquals([refused.status, refused.body.error.code], [503, "store_unavailable"]);
    assert(/disk is full/.test(refused.body.error.message), refused.body.error.message);
    await server.stop();
    server = undefined;

    const report = await checkConsistency(db);
    assertEquals(report.problems, []);
    assertEquals(report.jobs, accepted.length, "exactly the accepted jobs exist");
    const filler = await Deno.open(`${disk.dir}/filler`, { write: true, create: true });
    const chunk = new Uint8Array(4_096);
    try {
      while (true) await filler.write(chunk);
    } catch {
      // The disk is full now.
    } finally {
      filler.close();
    }
    assertClearFailure(await workerOn(`${disk.dir}/fresh.db`), /disk is full/, 10_000);
    console.log(`full disk: ${accepted.length} jobs accepted, then 503 store_unavailable`);
  } finally {
    await server?.stop();
    await disk.remove();
  }
});
