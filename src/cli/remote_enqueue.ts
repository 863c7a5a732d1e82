/**
 * `tq enqueue --url`: enqueue through a running `tq serve` (`POST /jobs`) and wait on the
 * job's event stream (`GET /jobs/{id}/events`) instead of opening the store. A stream cut
 * before the job ended (a restarted server, a proxy) is opened again: its first event is
 * the job's current state, so nothing is missed.
 *
 * @example
 * ```ts ignore
 * const api = new RemoteApi({ url: "http://127.0.0.1:8000", token });
 * const job = await api.enqueue({ task: "noop", input: {} });
 * const ended = await api.waitForEnd(job.id, 60_000);
 * ```
 * @module
 */
import type { JobJson } from "../job_json.ts";
import { isTerminal } from "../job.ts";
import { readSse } from "./sse.ts";

/** How long to wait before opening a cut stream again. */
const RECONNECT_MS = 1_000;

/** A `POST /jobs` body. */
export type EnqueueBody = { task: string; input: unknown } & Record<string, unknown>;

/**
 * The HTTP API of one `tq serve`, as the CLI uses it.
 *
 * @example
 * ```ts ignore
 * const api = new RemoteApi({ url: Deno.env.get("TQ_URL")!, token: Deno.env.get("TQ_API_TOKEN") });
 * ```
 */
export class RemoteApi {
  readonly #base: string;
  readonly #headers: Record<string, string>;
  readonly #fetch: typeof globalThis.fetch;

  constructor(
    { url, token, fetch = globalThis.fetch }: {
      url: string;
      token?: string;
      fetch?: typeof globalThis.fetch;
    },
  ) {
    this.#base = url.replace(/\/+$/, "");
    this.#headers = token ? { authorization: `Bearer ${token}` } : {};
    this.#fetch = fetch;
  }

  /** Enqueues one job and answers it as `GET /jobs/{id}` shows it. Throws the API's error. */
  async enqueue(body: EnqueueBody): Promise<JobJson> {
    const posted = await this.#call("/jobs", {
      method: "POST",
      headers: { ...this.#headers, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const { job_id } = await posted.json() as { job_id: string };
    return await (await this.#call(`/jobs/${job_id}`, { headers: this.#headers })).json();
  }

  /**
   * Follows the job's events until it ends (answers it) or `timeoutMs` passes (answers the
   * last state seen).
   */
  async waitForEnd(id: string, timeoutMs = Infinity): Promise<JobJson | null> {
    const deadline = Date.now() + timeoutMs;
    const signal = Number.isFinite(timeoutMs) ? AbortSignal.timeout(timeoutMs) : undefined;
    let last: JobJson | null = null;
    while (Date.now() < deadline) {
      try {
        const stream = await this.#call(`/jobs/${id}/events`, { headers: this.#headers, signal });
        for await (const { event, data } of readSse(stream.body!)) {
          if (event === "deleted") return last;
          if (event !== "state") continue;
          last = JSON.parse(data) as JobJson;
          if (isTerminal(last.status)) return last;
        }
      } catch (error) {
        if (signal?.aborted) return last;
        if (error instanceof ApiError) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
    }
    return last;
  }

  async #call(path: string, init: RequestInit): Promise<Response> {
    const response = await this.#fetch(this.#base + path, init);
    if (response.ok) return response;
    const text = await response.text();
    let message = text;
    try {
      const { error } = JSON.parse(text);
      const issues = (error.issues ?? []) as { path: string; message: string }[];
      message = [error.message, ...issues.map((i) => `${i.path}: ${i.message}`)].join("; ");
    } catch {
      // Not tq's JSON error (a proxy's page, say): show it as it came.
    }
    throw new ApiError(
      response.status,
      `${init.method ?? "GET"} ${path}: ${response.status} ${message}`,
    );
  }
}

/** The API answered with an error status. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = "ApiError";
  }
}
