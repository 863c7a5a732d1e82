/**
 * A small Server-Sent Events reader for the CLI (`tq enqueue --wait --url`): events of a
 * `text/event-stream` body, as the HTML standard parses them (`event:` and `data:` fields,
 * several `data:` lines joined by a newline, `:` comments skipped, a blank line ends an
 * event; `\n` or `\r\n` line ends).
 *
 * @example
 * ```ts
 * import { readSse } from "./sse.ts";
 * const body = new Response("event: state\ndata: {}\n\n: keep-alive\n\n").body!;
 * for await (const event of readSse(body)) console.assert(event.event === "state");
 * ```
 * @module
 */

/** One event: its name (`message` when none is given) and its data. */
export interface SseEvent {
  event: string;
  data: string;
}

/**
 * The events of `body`, as they arrive; ends with the stream.
 *
 * @example
 * ```ts ignore
 * for await (const { event, data } of readSse(response.body!)) console.log(event, data);
 * ```
 */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  let buffer = "";
  let event = "";
  let data: string[] = [];
  for await (const chunk of body.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, end).replace(/\r$/, "");
      buffer = buffer.slice(end + 1);
      if (line === "") {
        if (data.length > 0) yield { event: event || "message", data: data.join("\n") };
        event = "";
        data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
  }
}
