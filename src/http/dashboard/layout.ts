/**
 * The dashboard's page shell: navigation, the live region that `/assets/tq.js` refreshes
 * when the SSE stream says something changed, and small formatting helpers. Everything
 * goes through hono's `html` template, which escapes every interpolated string.
 *
 * @example
 * ```ts
 * import { page } from "./layout.ts";
 * const res = await page({ title: "Jobs", nav: "jobs", body: "hello <b>" });
 * console.assert(String(res).includes("hello &lt;b&gt;"));
 * ```
 * @module
 */
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { url } from "../base_path.ts";
import { isoTime } from "../../input_rules.ts";

/** What a page renders to: escaped HTML, possibly not yet resolved. */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const NAV = [
  ["overview", "/", "Overview"],
  ["jobs", "/ui/jobs", "Jobs"],
  ["workers", "/ui/workers", "Workers"],
  ["schedules", "/ui/schedules", "Schedules"],
  ["doctor", "/ui/doctor", "Doctor"],
  ["api", "/docs", "API"],
] as const;

/** A page: `controls` stay put (filters), `body` is the live region. */
export interface PageParts {
  title: string;
  nav: string;
  controls?: Html | Promise<Html> | string;
  body: Html | Promise<Html> | string;
  /** Shown above the body, e.g. the outcome of an action. */
  notice?: string;
  /** The job the page shows: the live stream then also says when that job's record changes. */
  job?: string;
  /** False for the answer to a form post, which cannot be fetched again to refresh it. */
  live?: boolean;
}

/**
 * The whole page.
 *
 * @example
 * ```ts
 * import { page } from "./layout.ts";
 * await page({ title: "Workers", nav: "workers", body: "none" });
 * ```
 */
export function page({ title, nav, controls, body, notice, job, live = true }: PageParts): Html {
  const links = NAV.map(([id, href, label]) =>
    html`
      <a href="${url(href)}" ${id === nav
        ? html`
          aria-current="page"
        `
        : ""}>${label}</a>
    `
  );
  return html`
    <!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="same-origin">
        <title>${title} · tq</title>
        <meta name="tq-base" content="${url("")}">
        <link rel="icon" href="${url("/assets/favicon.svg")}">
        <link rel="stylesheet" href="${url("/assets/tq.css")}">
        <script src="${url("/assets/tq.js")}" defer></script>
      </head>
      <body>
        <header><strong class="brand">tq</strong><nav>${links}</nav><span id="live-status" class="muted"></span></header>
        <main>
        <h1>${title}</h1>
        ${notice ? html`<p class="notice" role="status">${notice}</p>` : ""}
        ${controls ?? ""}
        <div ${live ? html`id="live"` : ""} ${job ? html`data-job="${job}"` : ""}>${body}</div>
            </main>
      </body>
    </html>
  `;
}

/**
 * The hidden `_csrf` field every action form carries when the API uses tokens (the login
 * cookie's CSRF value, see `../auth/cookies.ts`); nothing without one.
 *
 * @example
 * ```ts
 * import { csrfField } from "./layout.ts";
 * console.assert(String(csrfField(undefined)) === "");
 * ```
 */
export function csrfField(csrf: string | undefined): Html | string {
  return csrf ? html`<input type="hidden" name="_csrf" value="${csrf}">` : "";
}

/**
 * A button that posts to `action` (a dashboard action, answered with a redirect), carrying
 * the CSRF field.
 *
 * @example
 * ```ts
 * import { postButton } from "./layout.ts";
 * const form = String(await postButton("/ui/queues/mail/pause", "Pause", undefined));
 * console.assert(form.includes('action="/ui/queues/mail/pause"'));
 * ```
 */
export function postButton(
  action: string,
  label: string,
  csrf: string | undefined,
  cls = "",
): Html {
  return html`
    <form method="post"
      action="${action}">${csrfField(csrf)}<button class="${cls}">${label}</button></form>
  `;
}

/**
 * An epoch-ms time as ISO-8601 (UTC, to the second), or a dash.
 *
 * @example
 * ```ts
 * import { time } from "./layout.ts";
 * console.assert(time(0) === "1970-01-01 00:00:00Z" && time(undefined) === "–");
 * ```
 */
export function time(ms: number | undefined | null): string {
  const iso = isoTime(ms);
  return iso === null ? "–" : iso.replace("T", " ").slice(0, 19) + "Z";
}

/**
 * A duration in ms, short.
 *
 * @example
 * ```ts
 * import { duration } from "./layout.ts";
 * console.assert(duration(1_500) === "1.5 s" && duration(42) === "42 ms");
 * ```
 */
export function duration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/**
 * JSON for a `<pre>`, pretty-printed (escaped by the template that shows it).
 *
 * @example
 * ```ts
 * import { pretty } from "./layout.ts";
 * console.assert(pretty({ a: 1 }) === '{\n  "a": 1\n}');
 * ```
 */
export function pretty(value: unknown): string {
  return value === undefined ? "–" : JSON.stringify(value, null, 2);
}
