/**
 * The test fixture's own start: a redis-server that cannot bind exits, and the fixture says so
 * at once with redis-server's log, instead of waiting out its 10 s for an answer (the wait that
 * hid a taken cluster bus port in CI); and the retry on fresh ports that every server fixture
 * starts through.
 */
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { freePort, RedisServer, RedisServerStartError, startOnFreshPorts } from "./redis_server.ts";

Deno.test("a redis-server whose port is taken fails at once and says why", async () => {
  const port = freePort();
  const squatter = Deno.listen({ hostname: "127.0.0.1", port });
  try {
    const started = Date.now();
    const error = await assertRejects(
      () => RedisServer.start({ port }),
      RedisServerStartError,
      `redis-server on port ${port} exited with code 1 before answering`,
    );
    assert(error.message.includes("Address already in use"), error.message);
    // Well inside the 10 s wait for an answer: the exit itself ends it.
    assert(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
  } finally {
    squatter.close();
  }
});

Deno.test("a start whose port was taken is tried again, three times in all; another failure once", async () => {
  let tries = 0;
  const upOnTry = (n: number) => () =>
    ++tries === n ? Promise.resolve("up") : Promise.reject(new Error(`port taken, try ${tries}`));
  await assertRejects(() => startOnFreshPorts(upOnTry(0), () => true), Error, "try 3");
  tries = 0;
  assertEquals([await startOnFreshPorts(upOnTry(2), () => true), tries], ["up", 2]);
  tries = 0;
  await assertRejects(() => startOnFreshPorts(upOnTry(0), () => false), Error, "try 1");
});
