#!/usr/bin/env node
// Enqueue one tq job over HTTP and wait for it: Node 18+ with its global fetch, nothing else.
//
//   node examples/enqueue.mjs send_notification '{"email":"ada@example.com","message":"hi"}'
//
// Options: --url URL (default $TQ_URL or http://127.0.0.1:8000), --timeout SECONDS (default 60).
// The bearer token, when the server wants one, comes from $TQ_API_TOKEN.
// Prints the finished job as JSON and exits 0; exits 1 if the job failed or was canceled, if the
// server refused it (the error is printed), or on timeout.
import { parseArgs } from "node:util";

const DONE = new Set(["finished", "failed", "canceled"]);

/** One JSON request: its status and parsed body. */
async function call(method, url, body) {
  const headers = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (process.env.TQ_API_TOKEN) headers.authorization = `Bearer ${process.env.TQ_API_TOKEN}`;
  const response = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      url: { type: "string", default: process.env.TQ_URL ?? "http://127.0.0.1:8000" },
      timeout: { type: "string", default: "60" },
    },
  });
  const [task, input = "{}"] = positionals;
  if (!task) {
    console.error("usage: node enqueue.mjs TASK [JSON] [--url URL] [--timeout SECONDS]");
    return 2;
  }
  const base = values.url.replace(/\/$/, "");

  const enqueued = await call("POST", `${base}/tasks/${task}`, JSON.parse(input));
  if (enqueued.status !== 202) {
    console.error(`enqueue refused (${enqueued.status}): ${JSON.stringify(enqueued.body)}`);
    return 1;
  }
  const { job_id: id, status_url: statusUrl } = enqueued.body;
  console.error(`enqueued ${id}`);

  const deadline = Date.now() + Number(values.timeout) * 1000;
  while (Date.now() < deadline) {
    const { status, body: job } = await call("GET", base + statusUrl);
    if (status !== 200) {
      console.error(`status refused (${status}): ${JSON.stringify(job)}`);
      return 1;
    }
    if (DONE.has(job.status)) {
      console.log(JSON.stringify(job, null, 2));
      return job.status === "finished" ? 0 : 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  console.error(`job ${id} not done after ${values.timeout} s`);
  return 1;
}

process.exitCode = await main();
