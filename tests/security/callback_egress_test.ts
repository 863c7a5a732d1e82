/**
 * Issue #14, case 2: server-side request forgery through `callback_url`. Any address was
 * taken, so a callback could read cloud metadata or pause a queue through tq's own API.
 * Now literal internal addresses and `localhost` are refused at enqueue (422 naming
 * callback_url); names are resolved at delivery (here by a stub: no test connects to an
 * internal address) and an internal answer is refused and recorded on the job, unsent;
 * redirects are never followed; `--callback-allow` lets chosen hosts through.
 */
import { assert, assertEquals } from "../assert.ts";
import { CallbackSender } from "../../src/callbacks/callback_sender.ts";
import type { ResolveDns } from "../../src/callbacks/egress.ts";
import { InvalidInputError } from "../../src/errors.ts";
import type { Job } from "../../src/job.ts";
import { silentLogger } from "../../src/log.ts";
import { Producer } from "../../src/producer.ts";
import { systemClock } from "../../src/clock.ts";
import { finishJob } from "../../src/transitions/mod.ts";
import type { Store } from "../../src/store/store.ts";
import { registry } from "../../tasks/mod.ts";
import { waitFor } from "../worker/helpers.ts";
import { startReceiver } from "../callbacks/receiver.ts";
import { bothStores, refusedPaths } from "./stores.ts";

/** From the issue, and the other forms of the same addresses. */
const REFUSED = [
  "http://127.0.0.1:6379/",
  "http://localhost:8000/queues/default/pause",
  "http://LOCALHOST./x",
  "http://app.localhost/x",
  "http://[::1]/",
  "http://169.254.169.254/latest/meta-data/",
  "http://10.0.0.5/",
  "http://172.16.0.1/",
  "http://192.168.1.1/",
  "http://100.64.0.1/",
  "http://0.0.0.0/",
  "http://2130706433/",
  "http://0x7f.1/",
  "http://[::ffff:127.0.0.1]/",
  "http://[::ffff:a9fe:a9fe]/",
  "http://[64:ff9b::a00:5]/",
  "http://[fd00::1]/",
  "http://[fe80::1]/",
  "http://[::]/",
  "http://224.0.0.1/",
  "http://255.255.255.255/",
];

bothStores("internal callback addresses are refused at enqueue with 422", async (api) => {
  for (const url of REFUSED) {
    const res = await api.request("POST", "/jobs", { task: "noop", input: {}, callback_url: url });
    assertEquals(await refusedPaths(res), ["callback_url"], url);
    const error = await api.producer.enqueue({ task: "noop", input: {}, callbackUrl: url })
      .catch((e) => e);
    assert(error instanceof InvalidInputError, url);
  }
  const query = await api.request(
    "POST",
    `/tasks/noop?callback_url=${encodeURIComponent("http://169.254.169.254/")}`,
    {},
  );
  assertEquals(await refusedPaths(query), ["callback_url"]);
  assertEquals((await api.store.jobList({ limit: 100 })).jobs, []);
  for (const url of ["https://example.com/hook", "http://93.184.215.14/x", "http://[2606::1]/"]) {
    const res = await api.request("POST", "/jobs", { task: "noop", input: {}, callback_url: url });
    assertEquals(res.status, 202, url);
    await res.body?.cancel();
  }
});

bothStores("--callback-allow lets chosen internal hosts and networks through", async (api) => {
  const producer = new Producer({
    store: api.store,
    registry,
    callbackAllow: ["10.0.0.0/8", "receiver", "::1"],
  });
  for (const url of ["http://10.1.2.3/", "http://receiver:8080/hook", "http://[::1]/"]) {
    await producer.enqueue({ task: "noop", input: {}, callbackUrl: url });
  }
  for (const url of ["http://192.168.0.1/", "http://127.0.0.1/", "http://localhost/"]) {
    const error = await producer.enqueue({ task: "noop", input: {}, callbackUrl: url })
      .catch((e) => e);
    assert(error instanceof InvalidInputError, url);
  }
});

/** Enqueues a job with `callbackUrl` through `producer` and ends it, so its callback is due. */
async function endedJob(store: Store, producer: Producer, callbackUrl: string): Promise<Job> {
  const job = await producer.enqueue({ task: "noop", input: {}, callbackUrl });
  const [claimed] = await store.jobClaim({
    queues: ["default"],
    workerId: "w",
    limit: 1,
    leaseMs: 60_000,
    now: Date.now(),
  });
  assertEquals(claimed.id, job.id);
  const after = finishJob(claimed, { now: Date.now(), result: null, ttlMs: 60_000 });
  await store.jobUpdateMany({ updates: [{ before: claimed, after }] });
  return after;
}

bothStores(
  "a name resolving to an internal address is refused at delivery and recorded",
  async (api) => {
    const sent: string[] = [];
    const fetch = (url: string | URL | Request) => {
      sent.push(String(url));
      return Promise.resolve(new Response("ok"));
    };
    const answers: Record<string, string[]> = {
      "A rebind.example": ["93.184.215.14", "169.254.169.254"],
      "AAAA v6.example": ["::ffff:10.0.0.5"],
      "A public.example": ["93.184.215.14"],
    };
    const resolveDns: ResolveDns = (name, type) =>
      Promise.resolve(answers[`${type} ${name}`] ?? []);
    const rebind = await endedJob(api.store, api.producer, "http://rebind.example/hook");
    const v6 = await endedJob(api.store, api.producer, "http://v6.example/hook");
    const sender = new CallbackSender({
      store: api.store,
      clock: systemClock,
      logger: silentLogger,
      fetch,
      resolveDns,
      policy: { pollMs: 10 },
    });
    sender.start();
    try {
      for (const job of [rebind, v6]) {
        await waitFor(async () => (await api.store.jobGet(job.id))?.callbackOutcome === "refused");
        const stored = (await api.store.jobGet(job.id))!;
        assert(stored.callbackRefusal?.includes("refused"), stored.callbackRefusal);
        assertEquals(stored.callbackDueAt, undefined);
        const shown = (await (await api.request("GET", `/jobs/${job.id}`)).json()).callback;
        assertEquals(shown.state, "refused");
        assertEquals(shown.refusal, stored.callbackRefusal);
      }
      assertEquals(sent, []);
      const ok = await endedJob(api.store, api.producer, "http://public.example/hook");
      await waitFor(async () => (await api.store.jobGet(ok.id))?.callbackOutcome === "delivered");
      assertEquals(sent, ["http://public.example/hook"]);
    } finally {
      await sender.stop();
    }
  },
);

bothStores("a redirect from an allowed receiver is not followed", async (api) => {
  await using target = startReceiver();
  const port = new URL(target.url).port;
  const redirecting = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () =>
      new Response(null, { status: 307, headers: { location: `http://localhost:${port}/hook` } }),
  );
  const producer = new Producer({ store: api.store, registry, callbackAllow: ["127.0.0.1"] });
  const job = await endedJob(
    api.store,
    producer,
    `http://127.0.0.1:${redirecting.addr.port}/hook`,
  );
  const sender = new CallbackSender({
    store: api.store,
    clock: systemClock,
    logger: silentLogger,
    allow: ["127.0.0.1"],
    policy: { pollMs: 10, maxTries: 1 },
  });
  sender.start();
  try {
    await waitFor(async () => (await api.store.jobGet(job.id))?.callbackOutcome === "gave_up");
    assertEquals(target.requests, []);
  } finally {
    await sender.stop();
    await redirecting.shutdown();
  }
});
