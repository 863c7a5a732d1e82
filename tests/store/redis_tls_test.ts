/**
 * Redis over TLS with credentials: a real redis-server with `--tls-port`, a CA and a
 * server certificate made by `openssl` in a temp dir, a password for the default user
 * and an ACL user. tq trusts the test CA through `caFile` / `--redis-ca-file`; a wrong
 * password or an untrusted certificate is a `StoreUnavailableError` that never shows the
 * password.
 */
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { StoreUnavailableError } from "../../src/errors.ts";
import { openRedisStore } from "../../src/store/redis/redis_store.ts";
import { runTq } from "../integration/tq_process.ts";
import { freePort, RedisServer } from "./redis_server.ts";

const PASSWORD = "default-secret-4f1c";
const ACL_PASSWORD = "tq-user-secret-9b2e";

async function openssl(dir: string, ...args: string[]): Promise<void> {
  const { code, stderr } = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null" })
    .output();
  if (code !== 0) throw new Error(`openssl ${args[0]}: ${new TextDecoder().decode(stderr)}`);
}

/** A CA and a certificate for 127.0.0.1 signed by it, in `dir`. */
async function makeCertificates(dir: string): Promise<void> {
  await openssl(
    dir,
    ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=tq test CA"],
    ...["-keyout", "ca.key", "-out", "ca.crt"],
  );
  await openssl(
    dir,
    ...["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1"],
    ...["-keyout", "server.key", "-out", "server.csr"],
  );
  await Deno.writeTextFile(`${dir}/ext.cnf`, "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  await openssl(
    dir,
    ...["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key"],
    ...["-CAcreateserial", "-days", "1", "-extfile", "ext.cnf", "-out", "server.crt"],
  );
}

/** Runs `fn` with a TLS redis-server needing a password, and the test CA's file. */
async function withTlsRedis(
  fn: (tlsPort: number, caFile: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tq-redis-tls-" });
  const tlsPort = freePort();
  let server: RedisServer | undefined;
  try {
    await makeCertificates(dir);
    server = await RedisServer.start({
      dir,
      args: [
        ...["--tls-port", String(tlsPort), "--tls-auth-clients", "no"],
        ...["--tls-cert-file", `${dir}/server.crt`, "--tls-key-file", `${dir}/server.key`],
        ...["--tls-ca-cert-file", `${dir}/ca.crt`, "--requirepass", PASSWORD],
        ...["--user", "tq", "on", `>${ACL_PASSWORD}`, "~*", "&*", "+@all"],
      ],
    });
    await fn(tlsPort, `${dir}/ca.crt`);
  } finally {
    await server?.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("tq works on a rediss:// server with an ACL user, trusting the CA it is given", async () => {
  await withTlsRedis(async (port, caFile) => {
    const url = `rediss://tq:${ACL_PASSWORD}@127.0.0.1:${port}`;
    const store = await openRedisStore(url, { caFile, prefix: "tls" });
    try {
      await store.ping();
    } finally {
      store.close();
    }
    const flags = ["--redis", url, "--redis-ca-file", caFile, "--redis-prefix", "tls"];
    const enqueued = await runTq(["enqueue", "noop", "{}", ...flags]);
    assertEquals(enqueued.code, 0, enqueued.stderr);
    // The same through the environment, as the default user with its password.
    const listed = await runTq(["jobs", "list", "--json", "--redis-prefix", "tls"], {
      TQ_REDIS_URL: `rediss://:${PASSWORD}@127.0.0.1:${port}`,
      TQ_REDIS_CA_FILE: caFile,
    });
    assertEquals(listed.code, 0, listed.stderr);
    assertEquals(JSON.parse(listed.stdout).jobs.length, 1);
  });
});

Deno.test("a wrong password on rediss:// is a StoreUnavailableError that hides the password", async () => {
  await withTlsRedis(async (port, caFile) => {
    const wrong = "not-the-password-77";
    const url = `rediss://tq:${wrong}@127.0.0.1:${port}`;
    const error = await assertRejects(
      () => openRedisStore(url, { caFile }),
      StoreUnavailableError,
      "WRONGPASS",
    );
    assert(!error.message.includes(wrong), error.message);
    assert(error.message.includes("rediss://tq:***@127.0.0.1"), error.message);
    const cli = await runTq(["queues", "--redis", url, "--redis-ca-file", caFile]);
    assertEquals(cli.code, 1);
    assert(cli.stderr.includes("WRONGPASS") && !cli.stderr.includes(wrong), cli.stderr);
  });
});

Deno.test("a rediss:// server signed by a CA tq was not given is refused, saying why", async () => {
  await withTlsRedis(async (port) => {
    await assertRejects(
      () => openRedisStore(`rediss://:${PASSWORD}@127.0.0.1:${port}`),
      StoreUnavailableError,
      "certificate",
    );
  });
});
