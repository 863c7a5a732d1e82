/**
 * The dashboard's login page: one form that posts the token to `POST /login`. No script
 * and no inline style, so it runs under the strict Content-Security-Policy; every value
 * it shows is HTML-escaped.
 *
 * @example
 * ```ts
 * import { loginPage } from "./login_page.ts";
 * console.assert(!loginPage({ next: "<script>" }).includes("<script>"));
 * ```
 * @module
 */
import { url } from "../base_path.ts";

/**
 * `text` with the five characters that matter in HTML (text and quoted attributes) escaped.
 *
 * @example
 * ```ts
 * import { escapeHtml } from "./login_page.ts";
 * console.assert(escapeHtml(`<a href="x">'&`) === "&lt;a href=&quot;x&quot;&gt;&#39;&amp;");
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]);
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Where to go after login: a path on this server only (never `//host` or a full URL).
 *
 * @example
 * ```ts
 * import { safeNext } from "./login_page.ts";
 * console.assert(safeNext("//evil.example") === "/");
 * ```
 */
export function safeNext(next: string | undefined): string {
  return next && /^\/(?![/\\])/.test(next) ? next : url("/");
}

/**
 * The page, with an error line when a token was refused.
 *
 * @example
 * ```ts
 * import { loginPage } from "./login_page.ts";
 * const html = loginPage({ next: "/", error: "wrong token" });
 * ```
 */
export function loginPage({ next, error }: { next?: string; error?: string }): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>tq: sign in</title></head>
<body>
<h1>tq</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ""}
<form method="post" action="${escapeHtml(url("/login"))}">
<input type="hidden" name="next" value="${escapeHtml(safeNext(next))}">
<label>API token <input type="password" name="token" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>
</body>
</html>
`;
}
