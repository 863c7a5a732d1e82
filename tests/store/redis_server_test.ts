/**
 * The test fixture's own start: a redis-server that cannot bind exits, and the fixture says so
 * at once with redis-server's log, instead of waiting out its 10 s for an answer (the wait that
 * hid a taken cluster bus port in CI).
 */
import { assert, assertRejects } from "../assert.ts";
import { freePort, RedisServer, RedisServerStartError } from "./redis_server.ts";

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
