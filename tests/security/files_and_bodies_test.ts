/**
 * Issue #14, case 8: the KV file never shrank after a prune (now `tq compact`), a body
 * declared `charset=utf-16` was read as UTF-8 (now 415), and the listen log printed
 * `http://::1:8000` (now `http://[::1]:8000`). Real `tq` processes for the CLI parts.
 */
import { assert, assertEquals } from "../assert.ts";
import { httpUrl } from "../../src/cli/serve.ts";
import { openKvStore } from "../../src/open_kv_store.ts";
import { createJob } from "../../src/transitions/mod.ts";
import { runTq, tempDb, TqProcess } from "../integration/tq_process.ts";
import { bothStores } from "./stores.ts";

bothStores(
  "a JSON body declared in a charset other than UTF-8 is refused with 415",
  async (api) => {
    const body = JSON.stringify({ task: "noop", input: {}, idempotency_key: "é" });
    for (const charset of ["utf-16", "UTF-16LE", "iso-8859-1", '"utf-32"']) {
      for (const path of ["/jobs", "/tasks/noop", "/jobs/bulk", "/flows"]) {
        const res = await api.request("POST", path, body, {
          "content-type": `application/json; charset=${charset}`,
        });
        assertEquals(res.status, 415, `${path} ${charset}`);
        assertEquals((await res.json()).error.code, "unsupported_media_type");
      }
    }
    // Read as UTF-8 either way: the second request repeats the first one's key.
    const statuses = [];
    for (const type of ["application/json; charset=utf-8", "application/json;charset=UTF8"]) {
      const res = await api.request("POST", "/jobs", body, { "content-type": type });
      statuses.push(res.status);
      await res.body?.cancel();
    }
    assertEquals(statuses, [202, 200]);
    assertEquals((await api.store.jobList({ limit: 10 })).jobs.length, 1);
  },
);

Deno.test("httpUrl brackets IPv6 addresses", () => {
  assertEquals(httpUrl("::1", 8000), "http://[::1]:8000");
  assertEquals(httpUrl("::", 80), "http://[::]:80");
  assertEquals(httpUrl("127.0.0.1", 8000), "http://127.0.0.1:8000");
});

Deno.test("tq serve --host ::1 logs a bracketed URL that answers", async () => {
  const { db, cleanup } = await tempDb();
  const server = TqProcess.start(["serve", "--host", "::1", "--port", "0", "--db", db]);
  try {
    const url = await server.url();
    assert(/^http:\/\/\[::1\]:\d+$/.test(url), url);
    const res = await fetch(`${url}/healthz`);
    assertEquals(res.status, 200);
    await res.body?.cancel();
  } finally {
    await server.stop();
    await cleanup();
  }
});

Deno.test("tq compact shrinks a KV file to its live size and keeps what is live", async () => {
  const { db, cleanup } = await tempDb();
  try {
    const kv = await Deno.openKv(db);
    const big = "x".repeat(10_000);
    for (let i = 0; i < 2_000; i += 50) {
      const op = kv.atomic();
      for (let j = i; j < i + 50; j++) op.set(["junk", j], big);
      await op.commit();
    }
    for (let i = 0; i < 2_000; i += 50) {
      const op = kv.atomic();
      for (let j = i; j < i + 50; j++) op.delete(["junk", j]);
      await op.commit();
    }
    kv.close();
    const store = await openKvStore(db);
    const live = createJob({
      id: "01JD0000000000000000000001",
      task: "noop",
      input: { keep: true },
    }, 0);
    await store.jobInsertMany({ jobs: [live] });
    store.close();
    const before = (await Deno.stat(db)).size + await walSize(db);
    assert(before > 15_000_000, `only ${before} bytes to start with`);

    const compacted = await runTq(["compact", "--db", db]);
    assertEquals(compacted.code, 0, compacted.stderr);
    assert(compacted.stdout.includes("compacted"), compacted.stdout);
    const after = (await Deno.stat(db)).size + await walSize(db);
    assert(after < 1_000_000, `${after} bytes after compact`);

    const reopened = await openKvStore(db);
    try {
      assertEquals((await reopened.jobGet("01JD0000000000000000000001"))?.input, { keep: true });
    } finally {
      reopened.close();
    }
  } finally {
    await cleanup();
  }
});

Deno.test("tq compact refuses, changing nothing, while another process has the file open", async () => {
  const { db, cleanup } = await tempDb();
  const worker = TqProcess.start(["worker", "--db", db]);
  try {
    await worker.waitForLine((line) => line.event === "worker:started");
    const before = await Deno.readFile(db);
    const refused = await runTq(["compact", "--db", db]);
    assertEquals(refused.code, 1);
    assert(refused.stderr.includes("open in another process"), refused.stderr);
    assertEquals(await Deno.readFile(db), before);
  } finally {
    await worker.stop();
    await cleanup();
  }
});

Deno.test("tq compact on Redis says it applies to KV files only", async () => {
  const res = await runTq(["compact", "--redis", "redis://127.0.0.1:1"]);
  assertEquals(res.code, 2);
  assert(res.stderr.includes("only a Deno KV file"), res.stderr);
});

async function walSize(db: string): Promise<number> {
  try {
    return (await Deno.stat(`${db}-wal`)).size;
  } catch {
    return 0;
  }
}
