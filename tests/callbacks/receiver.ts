/**
 * A real HTTP receiver of completion callbacks on 127.0.0.1: it answers 500 to the first
 * `failFirst` POSTs and 200 after, and keeps every request it got.
 *
 * @example
 * ```ts ignore
 * await using receiver = startReceiver({ failFirst: 2 });
 * console.log(receiver.url, receiver.requests.length);
 * ```
 * @module
 */

/** One POST the receiver got. */
export interface Received {
  body: Record<string, unknown>;
  headers: Headers;
  status: number;
}

/** A running receiver. */
export interface Receiver extends AsyncDisposable {
  url: string;
  requests: Received[];
}

/** Starts a receiver on a free port of 127.0.0.1. */
export function startReceiver({ failFirst = 0 } = {}): Receiver {
  const requests: Received[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const status = requests.length < failFirst ? 500 : 200;
    requests.push({ body: await req.json(), headers: req.headers, status });
    return new Response(status === 200 ? "ok" : "try later", { status });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/hook`,
    requests,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}
