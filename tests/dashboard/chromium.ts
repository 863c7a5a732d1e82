/**
 * What the headless-Chromium dashboard tests share: a real `tq start` on a temp KV file
 * with a page open in Chromium (Debian's `chromium`, driven by playwright-core) that
 * collects console errors, and a JSON post to the API under test.
 *
 * @example
 * ```ts ignore
 * const { base, page, problems, close } = await openDashboard({ TQ_EMAIL_LATENCY_MS: "300" });
 * const { job_id } = await postJson(`${base}/jobs`, { task: "noop", input: {} });
 * ```
 * @module
 */
import { type Browser, chromium, type Page } from "playwright-core";
import { assertEquals } from "../assert.ts";
import { tempDb, TqProcess } from "../integration/tq_process.ts";

const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

/** Screenshots go to docs/ for the README with TQ_UPDATE_SCREENSHOTS=1, else to a temp dir. */
export const SHOTS = Deno.env.get("TQ_UPDATE_SCREENSHOTS")
  ? new URL("../../docs/", import.meta.url).pathname
  : await Deno.makeTempDir({ prefix: "tq-shots-" }) + "/";

/** Starts headless Chromium, or says how to install it. */
async function launch(): Promise<Browser> {
  try {
    await Deno.stat(CHROMIUM);
  } catch {
    throw new Error(
      `${CHROMIUM} not found: install chromium (.ci/run does: apt-get install -y chromium)`,
    );
  }
  return await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
}

/** POSTs `body` as JSON, expects 202 (an enqueue), and answers the JSON body. */
export async function postJson(url: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  assertEquals(res.status, 202);
  return await res.json();
}

/** A running `tq start` and a Chromium page to look at it with. */
export interface Dashboard {
  /** The server's URL, without a trailing slash. */
  base: string;
  page: Page;
  /** Console errors and uncaught exceptions of the page (CSP refusals among them). */
  problems: string[];
  /** Closes the browser, stops tq and removes its store. */
  close(): Promise<void>;
}

/** Starts `tq start` (with `env`) and opens a 1280×800 page in Chromium. */
export async function openDashboard(env: Record<string, string> = {}): Promise<Dashboard> {
  const { db, cleanup } = await tempDb();
  const tq = TqProcess.start(["start", "--port", "0", "--db", db], env);
  const browser = await launch().catch(async (error) => {
    await tq.stop();
    await cleanup();
    throw error;
  });
  const close = async () => {
    await browser.close();
    await tq.stop();
    await cleanup();
  };
  try {
    const base = await tq.url();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems: string[] = [];
    page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
    page.on("pageerror", (e) => problems.push(String(e)));
    return { base, page, problems, close };
  } catch (error) {
    await close();
    throw error;
  }
}
