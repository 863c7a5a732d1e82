import { decodeTime } from "ulid";
import { isJobId, jobIdAfter, newIdRange, newJobId } from "../src/ids.ts";
import { assert, assertEquals } from "./assert.ts";

Deno.test("newJobId makes ULIDs of the given time, rising within a millisecond and across", () => {
  let previous = "";
  for (let i = 0; i < 5_000; i++) {
    const now = 1_800_000_000_000 + Math.floor(i / 100);
    const id = newJobId(now);
    assert(isJobId(id), id);
    assertEquals(decodeTime(id), now);
    assert(id > previous, `${id} after ${previous}`);
    previous = id;
  }
});

Deno.test("newJobId keeps ids rising when the clock goes back", () => {
  const later = newJobId(1_900_000_000_000);
  const earlier = newJobId(1_800_000_000_000);
  assert(earlier > later);
  assertEquals(earlier, jobIdAfter(later, 1));
});

Deno.test("newJobId's random parts differ from millisecond to millisecond", () => {
  const randoms = new Set<string>();
  for (let i = 0; i < 100; i++) randoms.add(newJobId(2_000_000_000_000 + i).slice(10));
  assertEquals(randoms.size, 100);
});

Deno.test("newIdRange's ids are its first id plus 1, 2, 3", () => {
  const [first, ...rest] = newIdRange(40, 2_100_000_000_000);
  assertEquals(rest, rest.map((_, i) => jobIdAfter(first, i + 1)));
});
