/**
 * The API's security, wired in one call before the routes: security headers on every
 * answer, CORS only for configured origins, refusal of cross-site changes, tokens (when
 * configured) with the dashboard's login.
 *
 * @example
 * ```ts ignore
 * import { secureApp } from "./auth/mod.ts";
 * secureApp(app, { tokens: { admin: [token], read: [] }, corsOrigins: [] }, { store, clock });
 * ```
 * @module
 */
import type { Hono } from "hono";
import type { Clock } from "../../clock.ts";
import type { Store } from "../../store/store.ts";
import { crossSiteGuard } from "./cross_site.ts";
import { hostCheck } from "./host_check.ts";
import { corsFor, securityHeaders } from "./headers.ts";
import { loginRoutes } from "./login.ts";
import { requireToken } from "./require_token.ts";
import { Sessions } from "./sessions.ts";
import { type ApiTokens, authRequired } from "./tokens.ts";

export type { ApiTokens } from "./tokens.ts";

/** Who may use the API, and from which other origins browsers may call it. */
export interface SecurityOptions {
  /** Accepted tokens; none (the default) means no authentication: loopback use only. */
  tokens?: ApiTokens;
  /** Origins allowed to call the API from browsers (CORS); none by default. */
  corsOrigins?: string[];
  /**
   * When set, only requests whose `Host` is `localhost`, an IP address or one of these
   * names are served; others get 421 (`host_check.ts`, against DNS rebinding). `tq serve`
   * sets it whenever no token is configured; unset (the default), `Host` is not checked.
   */
  allowedHosts?: string[];
}

/**
 * Adds the security middleware (and, with tokens, the login routes) to `app`. Call it
 * before adding any route.
 *
 * @example
 * ```ts ignore
 * secureApp(app, {}, { store, clock });
 * ```
 */
export function secureApp(
  // deno-lint-ignore no-explicit-any
  app: Hono<any>,
  options: SecurityOptions,
  { store, clock }: { store: Store; clock: Clock },
): void {
  const origins = options.corsOrigins ?? [];
  app.use("*", securityHeaders());
  if (options.allowedHosts) app.use("*", hostCheck(options.allowedHosts));
  if (origins.length > 0) app.use("*", corsFor(origins));
  app.use("*", crossSiteGuard(origins));
  if (authRequired(options.tokens)) {
    const sessions = new Sessions(store, clock, options.tokens);
    app.use("*", requireToken(options.tokens, sessions));
    loginRoutes(app, sessions);
  }
}
