/**
 * The HTTP load generator: autocannon for `seconds` with `connections` open, each POSTing
 * `body` as JSON to `url`. Reports requests/s (2xx only), p50/p99 latency and errors.
 *
 * @example
 * ```sh
 * node load.mjs '{"url":"http://127.0.0.1:8000/jobs","body":"{}","connections":50,"seconds":10}'
 * ```
 * @module
 */
// Dynamic for the reason given in deps.mjs.
const { default: autocannon } = await import("autocannon");
import { args, report } from "./common.mjs";

const { url, body, connections, seconds } = args();
const result = await autocannon({
  url,
  method: "POST",
  headers: { "content-type": "application/json" },
  body,
  connections,
  duration: seconds,
});
report({
  rps: result["2xx"] / seconds,
  p50: result.latency.p50,
  p99: result.latency.p99,
  non2xx: result.non2xx,
  errors: result.errors + result.timeouts,
});
