/**
 * The BullMQ peer of `tq serve`'s `POST /jobs`: node:http with a JSON body
 * `{task, input}`, `queue.add`, and `202 {job_id}`, as an application would wrap BullMQ.
 * Prints `{"port": N}` once it listens.
 *
 * @example
 * ```sh
 * node http_server.mjs '{"url":"redis://127.0.0.1:6379"}'
 * ```
 * @module
 */
import { createServer } from "node:http";
import { Queue } from "./deps.mjs";
import { args, connection, QUEUE, report } from "./common.mjs";

const { url } = args();
const queue = new Queue(QUEUE, { connection: connection(url) });
await queue.waitUntilReady();
const server = createServer(async (req, res) => {
  let body = "";
  for await (const chunk of req) body += chunk;
  try {
    const { task, input } = JSON.parse(body);
    if (req.method !== "POST" || req.url !== "/jobs" || typeof task !== "string") {
      throw new Error("bad request");
    }
    const job = await queue.add(task, input ?? {});
    res.writeHead(202, { "content-type": "application/json" });
    res.end(JSON.stringify({ job_id: job.id, status: "queued" }));
  } catch (error) {
    res.writeHead(400, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: String(error) }));
  }
});
server.listen(0, "127.0.0.1", () => report({ port: server.address().port }));
process.on("SIGTERM", () => server.close(() => queue.close().then(() => process.exit(0))));
