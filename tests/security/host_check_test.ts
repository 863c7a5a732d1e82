/**
 * DNS rebinding (issue #14, case 3): without a token, `tq serve` answers only requests for
 * localhost, IP addresses and the names given with `--allowed-host`; any other `Host` gets
 * 421 JSON naming the option. With a token, `Host` is not checked unless names are given.
 * `createApp` without `allowedHosts` checks nothing, for apps mounted in other servers.
 */
import { hostAllowed } from "../../src/http/auth/host_check.ts";
import { assert, assertEquals } from "../assert.ts";
import { tempDb, TqProcess } from "../integration/tq_process.ts";
import { getWithHost } from "./raw_http.ts";
import { withSecureApi } from "./secure_api.ts";

Deno.test("hostAllowed: localhost and IP literals always, other names only when listed", () => {
  for (
    const host of [
      "localhost:8000",
      "LOCALHOST",
      "localhost.:8000",
      "127.0.0.1:8000",
      "[::1]:8000",
      "10.0.0.5",
    ]
  ) {
    assert(hostAllowed(host, []), host);
  }
  for (
    const host of [
      "evil.example",
      "evil.example:8000",
      "localhost.evil.example",
      "127.0.0.1.nip.io",
      "",
      "[::1].evil",
    ]
  ) {
    assert(!hostAllowed(host, []), host);
  }
  assert(hostAllowed("tq.example.com:443", ["tq.example.com"]));
  assert(hostAllowed("TQ.example.com.", ["tq.example.com"]));
  assert(hostAllowed("tq.example.com:8443", ["tq.example.com:8443"]));
  assert(!hostAllowed("tq.example.com:9000", ["tq.example.com:8443"]));
});

Deno.test("createApp with allowedHosts answers 421 JSON to another Host; without, checks nothing", async () => {
  await withSecureApi({ allowedHosts: ["tq.internal"] }, async ({ app, snapshot }) => {
    const before = await snapshot();
    for (const host of ["evil.example:8000", "attacker.test"]) {
      const res = await app.request("http://127.0.0.1:8000/jobs", {
        method: "POST",
        body: JSON.stringify({ task: "noop", input: {} }),
        headers: { host, "content-type": "application/json" },
      });
      const { error } = await res.json();
      assertEquals([res.status, error.code], [421, "misdirected_request"], host);
      assert(error.message.includes("--allowed-host NAME"), error.message);
      assert(error.message.includes("TQ_ALLOWED_HOSTS"), error.message);
    }
    assertEquals(await snapshot(), before, "a refused Host wrote nothing");
    for (const host of ["localhost:8000", "127.0.0.1:8000", "[::1]:8000", "tq.internal:80"]) {
      const res = await app.request("http://127.0.0.1:8000/queues", { headers: { host } });
      assertEquals(res.status, 200, host);
    }
  });
  await withSecureApi({}, async ({ app }) => {
    const res = await app.request("http://app.example/queues", {
      headers: { host: "app.example" },
    });
    assertEquals(res.status, 200, "a mounted app keeps its server's rules");
  });
});

Deno.test("tq serve without a token refuses other Hosts; --allowed-host and a token let them in", async () => {
  const { db, dir, cleanup } = await tempDb();
  const token = "host-test-token-0123456789abcdef";
  await Deno.writeTextFile(`${dir}/token`, token);
  const servers = {
    open: TqProcess.start(["serve", "--port", "0", "--db", `${dir}/a.db`]),
    proxied: TqProcess.start(["serve", "--port", "0", "--db", `${dir}/b.db`], {
      TQ_ALLOWED_HOSTS: "tq.internal, jobs.example.com",
    }),
    flag: TqProcess.start(["serve", "--port", "0", "--db", db, "--allowed-host", "tq.internal"]),
    token: TqProcess.start([
      "serve",
      "--port",
      "0",
      "--db",
      `${dir}/c.db`,
      "--token-file",
      `${dir}/token`,
    ]),
  };
  try {
    const open = await servers.open.url();
    const refused = await getWithHost(open, "/queues", "evil.example:8000");
    assertEquals(refused.status, 421, refused.body);
    const body = JSON.parse(refused.body);
    assertEquals(body.error.code, "misdirected_request");
    assert(body.error.message.includes("--allowed-host"), body.error.message);
    const port = new URL(open).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, "[::1]"]) {
      assertEquals((await getWithHost(open, "/queues", host)).status, 200, host);
    }
    assertEquals((await getWithHost(open, "/healthz", "evil.example")).status, 421, "healthz too");

    const proxied = await servers.proxied.url();
    assertEquals((await getWithHost(proxied, "/queues", "jobs.example.com")).status, 200);
    assertEquals((await getWithHost(proxied, "/queues", "tq.internal:8000")).status, 200);
    assertEquals((await getWithHost(proxied, "/queues", "evil.example")).status, 421);
    const flag = await servers.flag.url();
    assertEquals((await getWithHost(flag, "/queues", "tq.internal")).status, 200);
    assertEquals((await getWithHost(flag, "/queues", "evil.example")).status, 421);

    const withToken = await servers.token.url();
    const auth = `Authorization: Bearer ${token}\r\n`;
    assertEquals((await getWithHost(withToken, "/queues", "tq.example.com", auth)).status, 200);
  } finally {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
    await cleanup();
  }
});
