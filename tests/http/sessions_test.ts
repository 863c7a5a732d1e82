import { FakeClock } from "../../src/clock.ts";
import { SESSION_MS, Sessions } from "../../src/http/auth/sessions.ts";
import { assert, assertEquals } from "../assert.ts";
import { MemoryRecords } from "../store/memory_records.ts";
import type { RecordAddress, RecordPutParams } from "../../src/store/records.ts";

const ADMIN = "admin-token-0123456789";
const READER = "read-token-0123456789";

Deno.test("a session resolves to its token's role until it is revoked, and the store never holds its id", async () => {
  const clock = new FakeClock();
  const store = new MemoryRecords(clock);
  const sessions = new Sessions(store, clock, { admin: [ADMIN], read: [READER] });
  assertEquals(await sessions.create("not-a-token-at-all"), null);
  const session = (await sessions.create(ADMIN))!;
  assertEquals(await sessions.resolve(session.id), { role: "admin", csrf: session.csrf });
  const [kept] = await store.recordList({ space: "session", limit: 10 });
  assert(kept.key !== session.id);
  assertEquals(JSON.stringify(kept).includes(ADMIN), false, "nor the token");
  await sessions.revoke(session.id);
  assertEquals(await sessions.resolve(session.id), null);
  await sessions.revoke(session.id); // a second logout is no error
});

Deno.test("a session ends at its expiry, even where the store still keeps it", async () => {
  const clock = new FakeClock();
  const store = new MemoryRecords(clock);
  // A store that answers past the time to live (KV deletes lazily): the record decides.
  const lazy = {
    recordPut: ({ ttlMs: _, ...params }: RecordPutParams) => store.recordPut(params),
    recordGet: (address: RecordAddress) => store.recordGet(address),
    recordDelete: (address: RecordAddress) => store.recordDelete(address),
  };
  const sessions = new Sessions(lazy, clock, { admin: [ADMIN], read: [] });
  const { id } = (await sessions.create(ADMIN))!;
  clock.advance(SESSION_MS - 1);
  assertEquals((await sessions.resolve(id))?.role, "admin");
  clock.advance(1);
  assertEquals((await store.recordList({ space: "session", limit: 1 })).length, 1, "still kept");
  assertEquals(await sessions.resolve(id), null);
});

Deno.test("a session keeps its token's current role and ends when its token is rotated out", async () => {
  const clock = new FakeClock();
  const store = new MemoryRecords(clock);
  const { id } = (await new Sessions(store, clock, { admin: [ADMIN], read: [] }).create(ADMIN))!;
  const demoted = new Sessions(store, clock, { admin: [], read: [ADMIN] });
  assertEquals((await demoted.resolve(id))?.role, "read");
  const rotated = new Sessions(store, clock, { admin: [READER], read: [] });
  assertEquals(await rotated.resolve(id), null);
});
