/**
 * What the headless-Chromium dashboard tests share: the browser (Debian's `chromium`,
 * driven by playwright-core) and a JSON post to the API under test.
 *
 * @example
 * ```ts ignore
 * const browser = await launch();
 * const { job_id } = await postJson(`${base}/jobs`, { task: "noop", input: {} });
 * ```
 * @module
 */
import { type Browser, chromium } from "playwright-core";
import { assertEquals } from "../assert.ts";

const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

/** Starts headless Chromium, or says how to install it. */
export async function launch(): Promise<Browser> {
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
