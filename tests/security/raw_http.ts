/**
 * HTTP/1.1 over a raw TCP connection, for what `fetch` will not send: another `Host`,
 * a request written slowly, or a connection left idle.
 *
 * @example
 * ```ts ignore
 * const res = await rawRequest(base, "GET /healthz HTTP/1.1\r\nHost: evil.example\r\n\r\n");
 * console.assert(res.status === 421);
 * ```
 * @module
 */

/** A parsed answer. */
export interface RawResponse {
  status: number;
  headers: Headers;
  body: string;
}

/** Opens a TCP connection to the host and port of `base` (`http://127.0.0.1:8000`). */
export function connect(base: string): Promise<Deno.TcpConn> {
  const { hostname, port } = new URL(base);
  return Deno.connect({ hostname: hostname.replace(/^\[|\]$/g, ""), port: Number(port) });
}

/** Reads from `conn` until it closes (or `timeoutMs` passes); answers everything read. */
export async function readAll(conn: Deno.Conn, timeoutMs = 10_000): Promise<string> {
  const chunks: Uint8Array[] = [];
  const timer = setTimeout(() => conn.close(), timeoutMs);
  try {
    const buffer = new Uint8Array(16_384);
    while (true) {
      const n = await conn.read(buffer);
      if (n === null) break;
      chunks.push(buffer.slice(0, n));
    }
  } catch {
    // Closed by the timer or the peer.
  } finally {
    clearTimeout(timer);
  }
  try {
    conn.close();
  } catch {
    // Already closed.
  }
  return new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
}

/** Reads from `conn` until what was read includes `text` (or `timeoutMs` passes). */
export async function readUntil(
  conn: Deno.Conn,
  text: string,
  timeoutMs = 10_000,
): Promise<string> {
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(16_384);
  const deadline = Date.now() + timeoutMs;
  let read = "";
  while (!read.includes(text) && Date.now() < deadline) {
    const n = await Promise.race([
      conn.read(buffer),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), deadline - Date.now())),
    ]);
    if (n === null) break;
    read += decoder.decode(buffer.slice(0, n));
  }
  return read;
}

/** Parses an HTTP/1.1 answer (status line, headers, the rest as the body). */
export function parseResponse(text: string): RawResponse {
  const [head, ...rest] = text.split("\r\n\r\n");
  const [statusLine, ...lines] = head.split("\r\n");
  const headers = new Headers();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return { status: Number(statusLine.split(" ")[1] ?? 0), headers, body: rest.join("\r\n\r\n") };
}

/** Sends `head` (a whole request; add `Connection: close`) and parses the answer. */
export async function rawRequest(base: string, head: string): Promise<RawResponse> {
  const conn = await connect(base);
  await conn.write(new TextEncoder().encode(head));
  return parseResponse(await readAll(conn));
}

/** A GET of `path` with `Host: host`, closing the connection after. */
export function getWithHost(
  base: string,
  path: string,
  host: string,
  extra = "",
): Promise<RawResponse> {
  return rawRequest(
    base,
    `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${extra}Connection: close\r\n\r\n`,
  );
}
