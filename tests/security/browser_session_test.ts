/**
 * Sessions in a real headless Chromium against a real `tq start` with a token, on KV and
 * on Redis (issue #14, cases 6 and 7): the login form leads back to the page asked for,
 * the live dashboard works on the session, the browser's cookies never hold the token,
 * and after logout a copy of the session cookie is refused.
 */
import { chromium } from "playwright-core";
import { assert, assertEquals } from "../assert.ts";
import { TqProcess } from "../integration/tq_process.ts";
import { RedisServer } from "../store/redis_server.ts";
import { STORES } from "./secure_api.ts";

const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
const TOKEN = "browser-session-token-0123456789";

for (const kind of STORES) {
  Deno.test({
    name: `${kind}: Chromium logs in with a session, goes live, and logout ends it for copies too`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const dir = await Deno.makeTempDir({ prefix: "tq-browser-session-" });
      await Deno.writeTextFile(`${dir}/token`, TOKEN);
      const redis = kind === "redis" ? await RedisServer.start() : undefined;
      const store = redis ? ["--redis", redis.url] : ["--db", `${dir}/tq.db`];
      const tq = TqProcess.start([
        "start",
        "--port",
        "0",
        "--token-file",
        `${dir}/token`,
        ...store,
      ]);
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
      try {
        const base = await tq.url();
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.goto(`${base}/ui/jobs?status=queued`);
        await page.fill('input[name="token"]', TOKEN);
        await page.click('button[type="submit"]');
        await page.waitForURL(`${base}/ui/jobs?status=queued`);
        await page.waitForSelector("#live-status:text('live')");

        const cookies = await context.cookies();
        assert(!cookies.some((c) => c.value.includes(TOKEN)), JSON.stringify(cookies));
        const session = cookies.find((c) => c.name === "tq_session")!;
        assert(session.httpOnly && session.sameSite === "Strict", JSON.stringify(session));
        const copy = `tq_session=${session.value}`;
        assertEquals((await fetch(`${base}/queues`, { headers: { cookie: copy } })).status, 200);

        const status = await page.evaluate(async () =>
          (await fetch("/logout", { method: "POST", redirect: "manual" })).type
        );
        assertEquals(status, "opaqueredirect");
        const res = await fetch(`${base}/queues`, { headers: { cookie: copy } });
        assertEquals(res.status, 401, "the copied cookie is refused after logout");
        await res.body?.cancel();
        await page.goto(`${base}/ui/jobs`);
        await page.waitForSelector('input[name="token"]');
      } finally {
        await browser.close();
        await tq.stop();
        await redis?.stop();
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
