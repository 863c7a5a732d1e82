import { FakeClock } from "../../src/clock.ts";
import { Doorbell } from "../../src/store/kv/doorbell.ts";
import { assert, assertEquals } from "../assert.ts";

/**
 * Waits no longer than this in real time for a ring to arrive: far past any delivery. Waits
 * time out on a fake clock that never moves, so a wait that ends was ended by a ring.
 */
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

/**
 * Starts a wait and tells how it went with no time passing: "woken" when it ended at once,
 * "asleep" once it sleeps on the clock.
 */
function outcome(clock: FakeClock, wait: () => Promise<unknown>): Promise<string> {
  const asleep = clock.untilSleeping(clock.pendingSleeps + 1).then(() => "asleep");
  return Promise.race([wait().then(() => "woken"), asleep]);
}

interface TwoBells {
  /** This process's bell, its waits timing out on `clock`. */
  bell: Doorbell;
  /** Another process's bell on the same file: it rings only through the file. */
  other: Doorbell;
  clock: FakeClock;
  /** Aborts a wait that no ring ended in real time. */
  guard: AbortSignal;
}

async function withTwoBells(fn: (bells: TwoBells) => Promise<void>): Promise<void> {
  const path = await tempBell();
  const clock = new FakeClock();
  const bell = new Doorbell(path, { clock });
  const other = new Doorbell(path);
  try {
    await fn({ bell, other, clock, guard: AbortSignal.timeout(GUARD_MS) });
  } finally {
    bell.close();
    other.close();
  }
}

Deno.test("a ring from another process wakes a waiting process", async () => {
  const path = await tempBell();
  const bell = new Doorbell(path, { clock: new FakeClock() });
  const guard = AbortSignal.timeout(GUARD_MS);
  try {
    const woken = bell.wait({ timeoutMs: 60_000, signal: guard });
    await ringFromAnotherProcess(path);
    await woken;
    assert(!guard.aborted, "the ring was not heard");
  } finally {
    bell.close();
  }
});

Deno.test("a ring from another process wakes every waiter of a process", async () => {
  const path = await tempBell();
  const bell = new Doorbell(path, { clock: new FakeClock() });
  const guard = AbortSignal.timeout(GUARD_MS);
  try {
    const woken = Promise.all([
      bell.wait({ timeoutMs: 60_000, signal: guard }),
      bell.wait({ timeoutMs: 60_000, signal: guard }),
    ]);
    await ringFromAnotherProcess(path);
    await woken;
    assert(!guard.aborted, "the ring was not heard");
  } finally {
    bell.close();
  }
});

Deno.test("a change taken by a new wait wakes the waiters already waiting in that process", () =>
  withTwoBells(async ({ bell, other, clock }) => {
    const waiting = bell.wait({ timeoutMs: 60_000 });
    other.ring();
    // Before the file watcher reports the change, a second wait of the process sees it first.
    assertEquals(await outcome(clock, () => bell.wait({ timeoutMs: 60_000 })), "woken");
    await waiting;
  }));
Deno.test("a ring made while nobody waited makes the next wait return at once", async () => {
  const path = await tempBell();
  const clock = new FakeClock();
  const bell = new Doorbell(path, { clock });
  try {
    await ringFromAnotherProcess(path);
    assertEquals(await outcome(clock, () => bell.wait({ timeoutMs: 60_000 })), "woken");
  } finally {
    bell.close();
  }
});

Deno.test("a ring another waiter heard while this one was away ends this one's next wait at once", () =>
  // Two waiters of one process: one has looked for work since its last wait ended; the idle
  // one waits, and takes the next change in the file when the watcher reports it.
  withTwoBells(async ({ bell, other, clock, guard }) => {
    other.ring();
    const heard = await bell.wait({ since: 0, timeoutMs: 60_000 }); // at once: a change
    const idle = bell.wait({ timeoutMs: 60_000, signal: guard });
    assertEquals(clock.pendingSleeps, 1, "the idle waiter waits");
    other.ring();
    await idle;
    assert(!guard.aborted, "the ring was not heard");
    const next = () => bell.wait({ since: heard, timeoutMs: 60_000 });
    assertEquals(await outcome(clock, next), "woken");
  }));
Deno.test("a wait given the count of news it last heard sleeps until new news", () =>
  withTwoBells(async ({ bell, other, clock, guard }) => {
    other.ring();
    const heard = await bell.wait({ since: 0, timeoutMs: 60_000 }); // at once: a change
    const next = bell.wait({ since: heard, timeoutMs: 60_000, signal: guard });
    assertEquals(clock.pendingSleeps, 1, "asleep: nothing new");
    other.ring();
    assertEquals(await next, heard + 1);
  }));
Deno.test("a wait ends at its timeout on the store's clock", async () => {
  const clock = new FakeClock();
  const bell = new Doorbell(await tempBell(), { clock });
  try {
    const waiting = bell.wait({ timeoutMs: 30_000 });
    clock.advance(29_999);
    assertEquals(clock.pendingSleeps, 1);
    clock.advance(1);
    await waiting;
    assertEquals(clock.pendingSleeps, 0);
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
      const bell = new Doorbell(path, { clock: new FakeClock() });
      try {
        const go = new SharedArrayBuffer(4);
        const rung = new Promise((resolve) => ringer.onmessage = resolve);
        ringer.postMessage({ path, delayUs: Math.random() * 150, go });
        Atomics.store(new Int32Array(go), 0, 1);
        Atomics.notify(new Int32Array(go), 0);
        const guard = AbortSignal.timeout(GUARD_MS);
        await bell.wait({ timeoutMs: 60_000, signal: guard });
        await rung;
        assert(!guard.aborted, `round ${round}: the ring was missed`);
      } finally {
        bell.close();
      }
    }
  } finally {
    ringer.terminate();
  }
});

Deno.test("a ring in the same process wakes its waiters", async () => {
  const bell = new Doorbell(await tempBell(), { clock: new FakeClock() });
  try {
    const woken = Promise.all([
      bell.wait({ timeoutMs: 60_000 }),
      bell.wait({ timeoutMs: 60_000 }),
    ]);
    bell.ring();
    await woken;
  } finally {
    bell.close();
  }
});

Deno.test("closing the bell releases its waiters and stops its file watcher", async () => {
  const bell = new Doorbell(await tempBell(), { clock: new FakeClock() });
  const waiting = bell.wait({ timeoutMs: 60_000 });
  bell.close();
  await waiting;
  await bell.wait({ timeoutMs: 60_000 });
});
