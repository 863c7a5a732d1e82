/**
 * `tq enqueue <task> [json]`: enqueue one job from the shell, optionally waiting for it.
 *
 * @example
 * ```ts ignore
 * await enqueueCommand(["send_notification", '{"email":"a@b.co","message":"hi"}', "--wait"], { registry, schedules });
 * ```
 * @module
 */
import type { Clock } from "../clock.ts";
import { systemClock } from "../clock.ts";
import { jobJson } from "../job_json.ts";
import { isTerminal, type Job } from "../job.ts";
import type { Store } from "../store/store.ts";
import type { EnqueueRequest } from "../registry/default_producer.ts";
import {
  COMMON_HELP,
  loadEnvFile,
  parse,
  parseDuration,
  parseInteger,
  UsageError,
} from "./args.ts";
import { RemoteApi } from "./remote_enqueue.ts";
import { setup } from "./setup.ts";
import type { CliOptions } from "./cli_options.ts";

/** Help of `tq enqueue`. */
export const ENQUEUE_HELP = `Usage: tq enqueue TASK [JSON] [options]

Enqueues one job of TASK with JSON input (or standard input when JSON is left out and
standard input is not a terminal; {} otherwise) and prints it as JSON.

Options:
  --queue NAME           queue (default: the task's)
  --priority N           lower runs first (default: the task's, else 0)
  --delay DURATION       run no sooner than this from now (e.g. 30s, 5m)
  --max-attempts N       attempts in all before the job fails
  --timeout DURATION     time limit of one attempt
  --expires-in DURATION  not started within this (e.g. 10m), the job never runs and ends
                         canceled with cancel_reason "expired"
  --idempotency-key KEY  enqueue at most once per KEY: a repeat within 24 h prints the
                         first job instead of creating another
  --callback-url URL     POST the final job JSON to this http(s) URL when the job ends
  --wait                 wait until the job ends; exit 0 if it finished, 1 otherwise
  --wait-timeout DUR     give up waiting after this long (default: wait forever)
  --url URL              enqueue through the HTTP API of a tq serve at URL (env TQ_URL)
                         and wait on the job's event stream instead of opening the store
  --token TOKEN          API token for --url (env TQ_API_TOKEN)
${COMMON_HELP}`;

async function readInput(text: string | undefined): Promise<unknown> {
  const source = text ??
    (Deno.stdin.isTerminal() ? "{}" : await new Response(Deno.stdin.readable).text());
  try {
    return JSON.parse(source.trim() === "" ? "{}" : source);
  } catch (error) {
    throw new UsageError(`enqueue: input is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Polls the job until it is terminal or `timeoutMs` passes; returns the last record read.
 */
export async function waitForEnd(
  store: Store,
  id: string,
  timeoutMs = Infinity,
  clock: Clock = systemClock,
): Promise<Job | null> {
  const deadline = clock.now() + timeoutMs;
  let job = await store.jobGet(id);
  while (job && !isTerminal(job.state) && clock.now() < deadline) {
    await clock.sleep(50);
    job = await store.jobGet(id);
  }
  return job;
}

/** `tq enqueue --url`: the same through the HTTP API, waiting on the job's event stream. */
async function enqueueRemote(
  api: RemoteApi,
  request: EnqueueRequest,
  wait: boolean | undefined,
  waitTimeout: number,
): Promise<number> {
  const job = await api.enqueue({
    task: request.task,
    input: request.input,
    queue: request.queue,
    priority: request.priority,
    delay: request.delay,
    max_attempts: request.maxAttempts,
    timeout: request.timeout,
    expires_in: request.expiresIn,
    idempotency_key: request.idempotencyKey,
    callback_url: request.callbackUrl,
  });
  if (!wait) {
    console.log(JSON.stringify(job, null, 2));
    return 0;
  }
  const ended = await api.waitForEnd(job.id, waitTimeout);
  console.log(JSON.stringify(ended, null, 2));
  return ended?.status === "finished" ? 0 : 1;
}

/** Runs `tq enqueue`. */
export async function enqueueCommand(args: string[], tasks: CliOptions): Promise<number> {
  const { values, positionals } = parse("enqueue", args, {
    queue: { type: "string" },
    priority: { type: "string" },
    delay: { type: "string" },
    "max-attempts": { type: "string" },
    timeout: { type: "string" },
    "expires-in": { type: "string" },
    "idempotency-key": { type: "string" },
    "callback-url": { type: "string" },
    wait: { type: "boolean" },
    "wait-timeout": { type: "string" },
    url: { type: "string" },
    token: { type: "string" },
  });
  if (values.help) {
    console.log(ENQUEUE_HELP);
    return 0;
  }
  const [task, json, ...extra] = positionals;
  if (!task) throw new UsageError("enqueue: name the task (see 'tq enqueue --help')");
  if (extra.length > 0) throw new UsageError(`enqueue: unexpected argument "${extra[0]}"`);
  const request: EnqueueRequest = {
    task,
    input: await readInput(json),
    queue: values.queue,
    priority: values.priority === undefined
      ? undefined
      : parseInteger("--priority", values.priority, -1000, 1000),
    delay: values.delay === undefined ? undefined : parseDuration("--delay", values.delay),
    maxAttempts: values["max-attempts"] === undefined
      ? undefined
      : parseInteger("--max-attempts", values["max-attempts"], 1, 100),
    timeout: values.timeout === undefined ? undefined : parseDuration("--timeout", values.timeout),
    expiresIn: values["expires-in"] === undefined
      ? undefined
      : parseDuration("--expires-in", values["expires-in"]),
    idempotencyKey: values["idempotency-key"],
    callbackUrl: values["callback-url"],
  };
  const waitTimeout = values["wait-timeout"] === undefined
    ? Infinity
    : parseDuration("--wait-timeout", values["wait-timeout"]);
  if (values["env-file"]) loadEnvFile(values["env-file"]);
  const url = values.url ?? Deno.env.get("TQ_URL");
  if (url) {
    const token = values.token ?? Deno.env.get("TQ_API_TOKEN");
    return await enqueueRemote(new RemoteApi({ url, token }), request, values.wait, waitTimeout);
  }
  const { connection } = await setup(values, tasks);
  try {
    const job = await connection.producer.enqueue(request);
    if (!values.wait) {
      console.log(JSON.stringify(jobJson(job), null, 2));
      return 0;
    }
    const ended = await waitForEnd(connection.store, job.id, waitTimeout);
    console.log(JSON.stringify(ended ? jobJson(ended) : null, null, 2));
    return ended?.state === "finished" ? 0 : 1;
  } finally {
    await connection.close();
  }
}
