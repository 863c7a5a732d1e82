/**
 * Chained inserts (`src/guards/group_writes.ts`) on the in-memory records: a key's lanes are
 * a record of space `lane`, new jobs chain behind its tails in one record commit, and of two
 * producers appending to one key at once the one that lost reads again, so the key keeps
 * one chain.
 */
import { assertEquals } from "../assert.ts";
import { FakeClock } from "../../src/clock.ts";
import { insertChained, LANE_SPACE } from "../../src/guards/group_writes.ts";
import { GROUP_TTL_MS } from "../../src/guards/group.ts";
import { createJob, type JobSpec } from "../../src/transitions/mod.ts";
import { MemoryRecords } from "../store/memory_records.ts";
import type { RecordCommitParams } from "../../src/store/records.ts";
import type { Job } from "../../src/job.ts";

let next = 0;
/** The commit limits of `memory`, for a store a test puts in front of it. */
const limitsOf = (memory: MemoryRecords) => ({
  maxJobBytes: memory.maxJobBytes,
  maxInsertBatch: memory.maxInsertBatch,
  maxCommitBytes: memory.maxCommitBytes,
  jobBytes: (j: Job) => memory.jobBytes(j),
});
const job = (spec: Partial<JobSpec> = {}) =>
  createJob({ id: `j${String(next++).padStart(4, "0")}`, task: "t", input: 1, ...spec }, 0);

Deno.test("a group's second job waits behind the first, and the key's record names the tail", async () => {
  const clock = new FakeClock();
  const store = new MemoryRecords(clock);
  const [first, second] = await insertChained(store, [job({ group: "g" }), job({ group: "g" })]);
  assertEquals([first.state, second.state, second.groupAfter], ["queued", "deferred", first.id]);
  const [third] = await insertChained(store, [job({ group: "g" })]);
  assertEquals(third.groupAfter, second.id);
  assertEquals((await store.jobGet(second.id))?.dependants, [third.id]);
  const lane = { space: LANE_SPACE, key: "group:g" };
  assertEquals((await store.recordGet(lane))?.value, third.id);
  clock.advance(GROUP_TTL_MS);
  assertEquals(await store.recordGet(lane), null, "a key is forgotten a while after its last job");
});

Deno.test("a concurrency key starts a lane per job up to its limit, then chains", async () => {
  const store = new MemoryRecords(new FakeClock());
  const concurrency = { key: "k", limit: 2 };
  const jobs = [job({ concurrency }), job({ concurrency }), job({ concurrency })];
  const written = await insertChained(store, jobs);
  assertEquals(written.map((j) => j.state), ["queued", "queued", "deferred"]);
  assertEquals(written[2].groupAfter, written[0].id, "the lane appended to least recently");
});

Deno.test("of two producers appending to one group at once, the loser reads again: one chain", async () => {
  const memory = new MemoryRecords(new FakeClock());
  const rival = job({ group: "g" });
  let raced = false;
  // Between this producer's read of the lanes and its commit, a rival appends to the group.
  const store = {
    ...limitsOf(memory),
    recordGet: async (address: { space: string; key: string }) => {
      const read = await memory.recordGet(address);
      if (!raced) {
        raced = true;
        await insertChained(memory, [rival]);
      }
      return read;
    },
    jobGetMany: memory.jobGetMany.bind(memory),
    recordCommit: memory.recordCommit.bind(memory),
  };
  const [mine] = await insertChained(store, [job({ group: "g" })]);
  assertEquals([mine.state, mine.groupAfter], ["deferred", rival.id]);
});

Deno.test("jobs of more keys than fit one commit go in several, each key whole", async () => {
  const memory = new MemoryRecords(new FakeClock());
  const commits: string[][] = [];
  const store = {
    ...limitsOf(memory),
    recordGet: memory.recordGet.bind(memory),
    jobGetMany: memory.jobGetMany.bind(memory),
    recordCommit: (params: RecordCommitParams) => {
      commits.push((params.jobs ?? []).map((j) => j.group!));
      return memory.recordCommit(params);
    },
  };
  const jobs = Array.from({ length: 60 }, (_, i) => job({ group: `g${i % 30}` }));
  const written = await insertChained(store, jobs);
  assertEquals(written.filter((j) => j.state === "deferred").length, 30);
  assertEquals(commits.map((groups) => new Set(groups).size), [25, 5]);
  assertEquals(new Set(commits.flat()).size, 30, "no key split across commits");
});

Deno.test("a full batch of jobs into a group whose lane is taken goes in two commits, one chain", async () => {
  const store = new MemoryRecords(new FakeClock());
  const [tail] = await insertChained(store, [job({ group: "g" })]);
  const commits: number[] = [];
  const counting = {
    ...limitsOf(store),
    recordGet: store.recordGet.bind(store),
    jobGetMany: store.jobGetMany.bind(store),
    recordCommit: (params: RecordCommitParams) => {
      commits.push((params.jobs?.length ?? 0) + (params.updates?.length ?? 0));
      return store.recordCommit(params);
    },
  };
  const batch = Array.from({ length: store.maxInsertBatch }, () => job({ group: "g" }));
  const written = await insertChained(counting, batch);
  assertEquals(written.length, batch.length);
  assertEquals(commits, [151, 151], "each half with the tail it chains behind");
  assertEquals(written[0].groupAfter, tail.id);
  for (let i = 1; i < written.length; i++) assertEquals(written[i].groupAfter, written[i - 1].id);
});
