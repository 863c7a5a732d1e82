/**
 * The check of a `callback_url`: an absolute `http:` or `https:` URL of at most 2,048
 * characters, without credentials, whose host is not an address refused by the egress
 * policy (`./egress.ts`: loopback, private, link-local...). Every way in (`POST /jobs`, `POST /tasks/{task}`,
 * bulk entries, `task.enqueue({ callbackUrl })`) goes through the producer, which runs it.
 *
 * @example
 * ```ts
 * import { callbackUrlIssues } from "./callback_url.ts";
 * console.assert(callbackUrlIssues("ftp://x/")[0].path === "callback_url");
 * console.assert(callbackUrlIssues("https://example.com/hook").length === 0);
 * ```
 * @module
 */
import type { FieldIssue } from "../errors.ts";
import { CallbackEgress } from "./egress.ts";

const STRICT = new CallbackEgress();

/** The longest `callback_url` taken. */
export const MAX_CALLBACK_URL_CHARS = 2_048;

/**
 * What is wrong with `url` as a callback URL (empty when nothing is; none when absent).
 *
 * @example
 * ```ts
 * import { callbackUrlIssues } from "./callback_url.ts";
 * console.assert(callbackUrlIssues(undefined).length === 0);
 * ```
 */
export function callbackUrlIssues(url: unknown, egress: CallbackEgress = STRICT): FieldIssue[] {
  if (url === undefined) return [];
  const issue = (message: string) => [{ path: "callback_url", message }];
  if (typeof url !== "string") return issue("must be a string");
  if (url.length > MAX_CALLBACK_URL_CHARS) {
    return issue(`must be at most ${MAX_CALLBACK_URL_CHARS} characters`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return issue("must be an absolute http or https URL");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return issue("must be an http or https URL");
  }
  if (parsed.username || parsed.password) return issue("must not hold a user or password");
  const refused = egress.enqueueProblem(url);
  return refused ? issue(refused) : [];
}
