/**
 * `tq serve`: the HTTP producer. Also used by `tq start`.
 *
 * @example
 * ```ts ignore
 * await serveCommand(["--port", "8080"], { registry, schedules });
 * ```
 * @module
 */
import { createApp } from "../http/mod.ts";
import type { Logger } from "../log.ts";
import type { Connection } from "../connect.ts";
import type { SecurityOptions } from "../http/auth/mod.ts";
import { COMMON_HELP, parse, parseInteger } from "./args.ts";
import { SECURITY_HELP, SECURITY_OPTIONS, securitySettings } from "./security_options.ts";
import { LIMIT_HELP, LIMIT_OPTIONS, type LimitSettings, limitSettings } from "./limit_options.ts";
import { DEFAULT_SERVER_LIMITS, limitServer } from "../http/server_limits.ts";
import { DEFAULT_MAX_STREAMS } from "../http/stream_slots.ts";
import { setup, untilSignal } from "./setup.ts";
import { serveMaintenance } from "./serve_maintenance.ts";
import type { CliOptions } from "./cli_options.ts";

/** Help of `tq serve`. */
export const SERVE_HELP = `Usage: tq serve [--host HOST] [--port PORT]

Serves the HTTP API: POST /jobs answers 202 with job_id and status_url.

Options:
  --host HOST        address to listen on (env TQ_HOST; default 127.0.0.1)
  --port PORT        port (env TQ_PORT; default 8000; 0 picks a free one)
${SECURITY_HELP}
${LIMIT_HELP}
${COMMON_HELP}`;

/** Host, port and security options shared by `serve` and `start`. */
export const LISTEN_OPTIONS = {
  host: { type: "string" },
  port: { type: "string" },
  ...SECURITY_OPTIONS,
  ...LIMIT_OPTIONS,
} as const;

/** Where to listen, from the options or the environment, checked. */
export function listenAddress(values: { host?: string; port?: string }) {
  return {
    hostname: values.host ?? Deno.env.get("TQ_HOST") ?? "127.0.0.1",
    port: parseInteger("--port", values.port ?? Deno.env.get("TQ_PORT") ?? "8000", 0, 65535),
  };
}

/**
 * The URL of a server at `hostname`:`port`, with an IPv6 address in brackets.
 *
 * @example
 * ```ts
 * import { httpUrl } from "./serve.ts";
 * console.assert(httpUrl("::1", 8000) === "http://[::1]:8000");
 * console.assert(httpUrl("127.0.0.1", 80) === "http://127.0.0.1:80");
 * ```
 */
export function httpUrl(hostname: string, port: number): string {
  const host = hostname.includes(":") && !hostname.startsWith("[") ? `[${hostname}]` : hostname;
  return `http://${host}:${port}`;
}

/**
 * Starts the HTTP server for `connection` at `address`. Its `shutdown()` first ends the
 * long polls of protocol workers' claims, then waits for the requests in flight.
 */
export function listen(
  connection: Connection,
  logger: Logger,
  { hostname, port }: { hostname: string; port: number },
  security: SecurityOptions = {},
  limits: LimitSettings = { ...DEFAULT_SERVER_LIMITS, maxStreams: DEFAULT_MAX_STREAMS },
): Pick<Deno.HttpServer<Deno.NetAddr>, "shutdown"> {
  const stopping = new AbortController();
  const app = createApp({
    ...connection,
    security,
    maxStreams: limits.maxStreams,
    bodyTimeoutMs: limits.bodyTimeoutMs,
    stopping: stopping.signal,
  });
  const server = Deno.serve({
    hostname,
    port,
    onListen: ({ hostname, port }) =>
      logger.info("server:listening", { url: httpUrl(hostname, port) }),
  }, limitServer(app.fetch, limits));
  return {
    shutdown() {
      stopping.abort();
      return server.shutdown();
    },
  };
}

/** Runs `tq serve` until SIGINT or SIGTERM. */
export async function serveCommand(args: string[], tasks: CliOptions): Promise<number> {
  const { values } = parse("serve", args, LISTEN_OPTIONS);
  if (values.help) {
    console.log(SERVE_HELP);
    return 0;
  }
  const address = listenAddress(values);
  const security = securitySettings(values, address.hostname);
  const limits = limitSettings(values);
  const { connection, logger } = await setup(values, tasks);
  const server = listen(connection, logger, address, security, limits);
  const maintenance = serveMaintenance(connection, logger);
  for (const service of maintenance) service.start();
  const signal = await untilSignal();
  logger.info("server:stopping", { signal });
  await server.shutdown();
  await Promise.all(maintenance.map((service) => service.stop()));
  await connection.close();
  return 0;
}
