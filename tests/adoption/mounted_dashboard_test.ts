/**
 * A user's project outside the repository serves tq's API and dashboard under
 * `/admin/tq` inside its own `Deno.serve`, next to its own routes: a crawl of every
 * dashboard page finds no link, script, stylesheet or form escaping the prefix, and a real
 * headless Chromium loads the pages without an error and gets the live stream.
 */
import { type Browser, chromium } from "playwright-core";
import { assert, assertEquals } from "../assert.ts";
import { crawl } from "../http/crawl.ts";
import { TempProject } from "./temp_project.ts";

const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

const SERVER = `import { z } from "zod";
import { connect, createApp, defineTask, Registry } from "@tq/tq";

const greet = defineTask({
  name: "greet",
  input: z.object({ name: z.string() }),
  handler: ({ name }) => "hello " + name,
});
const tq = await connect({ registry: new Registry([greet]), db: Deno.args[0] });
const admin = createApp({ ...tq, basePath: "/admin/tq" });
await greet.enqueue({ name: "Ada" });

Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => console.log("listening " + port),
}, (request) => {
  const { pathname } = new URL(request.url);
  if (pathname === "/admin/tq" || pathname.startsWith("/admin/tq/")) return admin.fetch(request);
  return new Response("the user's own app");
});
`;

/** Reads the child's stdout until it says its port. */
async function portOf(child: Deno.ChildProcess): Promise<number> {
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the server ended before listening: ${text}`);
    text += value;
    const match = /listening (\d+)/.exec(text);
    if (match) {
      reader.releaseLock();
      return Number(match[1]);
    }
  }
}

Deno.test({
  name: "tq mounted under /admin/tq in a user's own Deno.serve keeps every link in the prefix",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const project = await TempProject.create({ "server.ts": SERVER });
    const child = project.command(["run", "-A", "server.ts", `${project.dir}/data/tq.db`]).spawn();
    let browser: Browser | undefined;
    try {
      const origin = `http://127.0.0.1:${await portOf(child)}`;
      assertEquals(await (await fetch(`${origin}/`)).text(), "the user's own app");
      const { pages, escapes } = await crawl((path) => fetch(`${origin}${path}`), "/admin/tq");
      assertEquals(escapes, []);
      assert(pages.length >= 5, pages.join(", "));
      assert(pages.some((p) => p.startsWith("/admin/tq/ui/jobs/")), "a job page");
      const doc = await (await fetch(`${origin}/admin/tq/openapi.json`)).json();
      assertEquals(doc.servers, [{ url: "/admin/tq" }]);
      assert(doc.paths["/tasks/greet"].post, "the task's own operation");

      browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
      page.on("pageerror", (e) => problems.push(String(e)));
      const outside: string[] = [];
      page.on("request", (r) => {
        const url = new URL(r.url());
        if (!url.pathname.startsWith("/admin/tq")) outside.push(url.pathname);
      });
      await page.goto(`${origin}/admin/tq/ui/jobs`);
      await page.waitForSelector("#live-status:text('live')"); // the stream, under the prefix
      await page.click("nav a:text('Overview')");
      await page.waitForSelector("#live-status:text('live')");
      assertEquals(new URL(page.url()).pathname, "/admin/tq");
      await page.click("nav a:text('API')");
      await page.waitForSelector(".op"); // the docs script read /admin/tq/openapi.json
      assertEquals(problems, []);
      assertEquals(outside, []);
    } finally {
      await browser?.close();
      child.kill("SIGTERM");
      await child.status;
      await child.stdout.cancel().catch(() => {});
      await child.stderr.cancel().catch(() => {});
      await project.remove();
    }
  },
});
