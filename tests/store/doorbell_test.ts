import { Doorbell } from "../../src/store/kv/doorbell.ts";
import { assert } from "../assert.ts";

/** Waits no longer than this in a test: far past any ring's delivery, far below the test's. */
const GUARD_MS = 20_000;

async function tempBell(): Promise<string> {
  return `${await Deno.makeTempDir({ prefix: "tq_bell_" })}/tq.db.bell`;
}

/** Rings `path` from a separate Deno process, as another tq process would. */
async function ringFromAnotherProcess(path: string): Promise<void> {
  const code = `import { Doorbell } from ${
    JSON.stringify(
      new URL("../../src/store/kv/doorbell.ts", import.meta.url).href,
    )
  }; new Doorbell(${JSON.stringify(path)}).ring();`;
  const { success } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    stdout: "null",
  }).output();
  assert(success, "the ringing process failed");
}

Deno.test("a ring from another process wakes a waiting process long before its timeout", async () => {
  const path = await tempBell();
  const bell = new Doorbell(path);
  try {
    const started = Date.now();
    const woken = bell.wait({ timeoutMs: GUARD_MS });
    await ringFromAnotherProcess(path);
    await woken;
    assert(Date.now() - started < GUARD_MS / 2, `woken after ${Date.now() - started} ms`);
  } finally {
    bell.close();
  }
});

Deno.test("a ring from another process wakes every waiter of a process", async () => {
  const path = await tempBell();
  const bell = new Doorbell(path);
  try {
    const started = Date.now();
    const woken = Promise.all([
      bell.wait({ timeoutMs: GUARD_MS }),
      bell.wait({ timeoutMs: GUARD_MS }),
    ]);
    await ringFromAnotherProcess(path);
    await woken;
    assert(Date.now() - started < GUARD_MS / 2, `woken after ${Date.now() - started} ms`);
  } finally {
    bell.close();
  }
});

Deno.test("a change taken by a new wait wakes the waiters already waiting in that process", async () => {
  const path = await tempBell();
  const bell = new Doorbell(path);
  const other = new Doorbell(path); // another process's bell, ringing only through the file
  try {
    const started = Date.now();
    const waiting = bell.wait({ timeoutMs: GUARD_MS });
    other.ring();
    // Before the file watcher reports the change, a second wait of the process sees it first.
    await bell.wait({ timeoutMs: GUARD_MS });
    await waiting;
    assert(Date.now() - started < GUARD_MS / 2, `woken after ${Date.now() - started} ms`);
  } finally {
    bell.close();
    other.close();
  }
});

Deno.test("a ring made while nobody waited makes the next wait return at once", async () => {
  const path = await tempBell();
  const bell = new Doorbell(path);
  try {
    await ringFromAnotherProcess(path);
    const started = Date.now();
    await bell.wait({ timeoutMs: GUARD_MS });
    assert(Date.now() - started < GUARD_MS / 2, `woken after ${Date.now() - started} ms`);
  } finally {
    bell.close();
  }
});

Deno.test("a ring from another process between two waits makes the next wait return at once", async () => {
  const path = await tempBell();
  const bell = new Doorbell(path);
  try {
    const first = bell.wait({ timeoutMs: GUARD_MS }); // starts the file watcher
    bell.ring();
    await first;
    await ringFromAnotherProcess(path);
    // Long enough for the watcher to report the change while nobody waits.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    await bell.wait({ timeoutMs: GUARD_MS });
    assert(Date.now() - started < GUARD_MS / 2, `woken after ${Date.now() - started} ms`);
  } finally {
    bell.close();
  }
});

Deno.test("a ring landing while the first wait sets up its file watcher is heard", async () => {
  // The watcher takes some 100 µs to set up. Rings spread over the wait's first 150 µs fell
  // between its look at the file and the watcher's start about one time in five.
  const ringer = new Worker(new URL("../fixtures/bell_ringer.ts", import.meta.url), {
    type: "module",
  });
  try {
    for (let round = 0; round < 60; round++) {
      const path = await tempBell();
      const bell = new Doorbell(path);
      try {
        const go = new SharedArrayBuffer(4);
        const rung = new Promise((resolve) => ringer.onmessage = resolve);
        ringer.postMessage({ path, delayUs: Math.random() * 150, go });
        const started = performance.now();
        Atomics.store(new Int32Array(go), 0, 1);
        Atomics.notify(new Int32Array(go), 0);
        await bell.wait({ timeoutMs: GUARD_MS });
        const waited = performance.now() - started;
        await rung;
        assert(
          waited < GUARD_MS / 2,
          `round ${round}: the ring was missed, woken after ${waited} ms`,
        );
      } finally {
        bell.close();
      }
    }
  } finally {
    ringer.terminate();
  }
});

Deno.test("a ring in the same process wakes its waiters", async () => {
  const bell = new Doorbell(await tempBell());
  try {
    const woken = Promise.all([
      bell.wait({ timeoutMs: GUARD_MS }),
      bell.wait({ timeoutMs: GUARD_MS }),
    ]);
    bell.ring();
    await woken;
  } finally {
    bell.close();
  }
});

Deno.test("closing the bell releases its waiters and stops its file watcher", async () => {
  const bell = new Doorbell(await tempBell());
  const waiting = bell.wait({ timeoutMs: GUARD_MS });
  bell.close();
  await waiting;
  await bell.wait({ timeoutMs: GUARD_MS });
});
