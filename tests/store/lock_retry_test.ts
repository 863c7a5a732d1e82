import { assert, assertEquals, assertRejects } from "../assert.ts";
import { commitWhileLocked } from "../../src/store/kv/lock_retry.ts";
import { openKvStore } from "../../src/store/kv/kv_store.ts";

/** Holds SQLite's write lock on `path` for `ms`, from another process; resolves once held. */
async function holdLock(path: string, ms: number): Promise<Deno.ChildProcess> {
  const holder = new Deno.Command("python3", {
    args: [
      "-c",
      `import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
c.execute("COMMIT")`,
      path,
      String(ms / 1000),
    ],
    stdout: "piped",
  }).spawn();
  const reader = holder.stdout.getReader();
  await reader.read();
  reader.releaseLock();
  return holder;
}

// Deno KV waits up to 5 s for SQLite's lock and then fails the commit; a lock held 8 s
// (3 s of slack for a loaded machine to start the plain call)
// makes a plain commit fail and a retried one go through once the lock is released.
const LOCK_MS = 8_000;

Deno.test("a commit made while another process holds the file's lock goes through once it is free", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/tq.db`;
  const plain = await Deno.openKv(path);
  const kv = await Deno.openKv(path);
  try {
    await kv.set(["warm"], 1);
    const holder = await holdLock(path, LOCK_MS);
    const [refused, retried] = await Promise.all([
      assertRejects(() => plain.atomic().set(["a"], 1).commit(), Error, "locked"),
      commitWhileLocked(kv.atomic().sum(["n"], 1n)),
    ]);
    await holder.status;
    assertEquals([refused.message.includes("locked"), retried.ok], [true, true]);
    assertEquals((await kv.get<Deno.KvU64>(["n"])).value?.value, 1n, "written exactly once");
  } finally {
    plain.close();
    kv.close();
    await Deno.remove(dir, { recursive: true });
  }
});

// Opening a new file creates its tables, which needs the lock; Deno gives up after 5 s,
// so opening through the store must outlast a lock held longer than that.
Deno.test("opening a new KV file that another process holds locked waits for the lock", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/tq.db`;
  try {
    const holder = await holdLock(path, LOCK_MS);
    const started = performance.now();
    const store = await openKvStore(path);
    const waited = performance.now() - started;
    await holder.status;
    await store.ping();
    store.close();
    assert(waited > 5_000, `opened after ${waited} ms, before the lock could have been free`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
