/**
 * The two ways to reach a runner: a Web Worker (`thread`) or a child process started from
 * `Deno.execPath()` (`process`). Both carry the protocol's messages and say how they ended.
 *
 * @example
 * ```ts ignore
 * const channel = openThread("file:///app/tasks/mod.ts", undefined, onMessage);
 * channel.send({ type: "run", jobId, task: "resize", input, attempt: 1, parents: {} });
 * console.log(await channel.ended); // "exited with code 3"
 * ```
 * @module
 */
import { CHILD_MARKER, LINE_MARK } from "./child_main.ts";
import { childExitMessage } from "./child_exit.ts";
import type { FromRunner, ToRunner } from "./protocol.ts";
import { fileURLToPath as fromFileUrl } from "node:url";

/** A connection to one runner. */
export interface Channel {
  send(message: ToRunner): void;
  /** Resolves with why the runner ended (also after `kill()`). */
  readonly ended: Promise<string>;
  /** Ends the runner at once, whatever it is doing. */
  kill(): void;
}

/** What a task asks of the thread or process that runs it. */
export interface RunnerLimits {
  permissions?: Deno.PermissionOptionsObject;
  memoryMb?: number;
}

/**
 * A runner in a new Web Worker, with the task's permissions (default: the worker's).
 *
 * @example
 * ```ts ignore
 * const channel = openThread(tasksModule, { net: ["api.example.com"] }, onMessage);
 * ```
 */
export function openThread(
  tasksModule: string,
  permissions: Deno.PermissionOptionsObject | undefined,
  onMessage: (message: FromRunner) => void,
): Channel {
  const options = { type: "module", deno: permissions ? { permissions } : undefined };
  // Static imports: a thread without read permission may not import files at run time.
  const main = JSON.stringify(new URL("./thread_main.ts", import.meta.url).href);
  const tasks = JSON.stringify(tasksModule);
  const entry = `import { serveThread } from ${main}; import * as tasks from ${tasks};\n` +
    `serveThread(tasks, ${tasks});`;
  const url = `data:application/javascript,${encodeURIComponent(entry)}`;
  const thread = new Worker(url, options as WorkerOptions);
  let end: (why: string) => void = () => {};
  const ended = new Promise<string>((resolve) => end = resolve);
  thread.onmessage = (event: MessageEvent<FromRunner>) => {
    const message = event.data;
    if (message.type === "exit") end(`exited with code ${message.code}`);
    else onMessage(message);
  };
  thread.onerror = (event) => {
    event.preventDefault();
    end(`thread crashed: ${event.message}`);
  };
  return {
    send: (message) => thread.postMessage(message),
    ended,
    kill() {
      thread.terminate();
      end("terminated");
    },
  };
}

const PERMISSIONS = ["read", "write", "net", "env", "sys", "run", "ffi", "import"] as const;

/** `--allow-*` flags: the task's, or else those this process holds in full. */
export function permissionFlags(permissions: Deno.PermissionOptionsObject = {}): string[] {
  return PERMISSIONS.flatMap((name) => {
    const wanted = (permissions as Record<string, unknown>)[name] ?? "inherit";
    if (wanted === "inherit") {
      const granted = Deno.permissions.querySync({ name } as Deno.PermissionDescriptor);
      return granted.state === "granted" ? [`--allow-${name}`] : [];
    }
    if (wanted === true) return [`--allow-${name}`];
    if (Array.isArray(wanted) && wanted.length > 0) return [`--allow-${name}=${wanted.join(",")}`];
    return [];
  });
}

/**
 * The child's main module under `deno run`: it imports the child's code and the tasks
 * module statically, so a child without read permission still loads them.
 */
function childEntry(tasksModule: string): string {
  const main = JSON.stringify(new URL("./child_main.ts", import.meta.url).href);
  const tasks = JSON.stringify(tasksModule);
  const source = `import { runChild } from ${main}; import * as tasks from ${tasks};\n` +
    `Deno.exit(await runChild(tasks, ${tasks}));`;
  return `data:application/javascript,${encodeURIComponent(source)}`;
}

/** `--config` of the nearest deno.json(c) above the tasks module (for its imports). */
function configFlags(tasksModule: string): string[] {
  if (!tasksModule.startsWith("file:")) return [];
  let dir = new URL(".", tasksModule);
  while (true) {
    for (const name of ["deno.json", "deno.jsonc"]) {
      const file = new URL(name, dir);
      try {
        if (Deno.statSync(file).isFile) return ["--config", fromFileUrl(file)];
      } catch { /* not here */ }
    }
    const parent = new URL("..", dir);
    if (parent.href === dir.href) return [];
    dir = parent;
  }
}

/** How many characters of a child's stderr are kept to tell why it died. */
const STDERR_TAIL = 4_000;

/**
 * A runner in a new child process: `deno run child_main.ts` under `deno run`, or this
 * compiled binary again with `TQ_ISOLATION_CHILD=1`. `memoryMb` becomes V8's
 * `--max-old-space-size` (through `DENO_V8_FLAGS`).
 *
 * @example
 * ```ts ignore
 * const channel = openProcess(tasksModule, { memoryMb: 256 }, onMessage);
 * ```
 */
export function openProcess(
  tasksModule: string,
  limits: RunnerLimits,
  onMessage: (message: FromRunner) => void,
): Channel {
  const args = Deno.build.standalone ? [] : [
    "run",
    "--quiet",
    "--unstable-kv",
    ...configFlags(tasksModule),
    ...permissionFlags(limits.permissions),
    childEntry(tasksModule),
  ];
  const env: Record<string, string> = { [CHILD_MARKER]: "1" };
  if (limits.memoryMb) env.DENO_V8_FLAGS = `--max-old-space-size=${limits.memoryMb}`;
  const child = new Deno.Command(Deno.execPath(), {
    args,
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  const encoder = new TextEncoder();
  let tail = "";
  const stdout = eachLine(child.stdout, (line) => {
    if (line.startsWith(LINE_MARK)) onMessage(JSON.parse(line.slice(LINE_MARK.length)));
    else if (line) console.error(line);
  });
  const stderr = eachLine(child.stderr, (line) => {
    tail = (tail + line + "\n").slice(-STDERR_TAIL);
    console.error(line);
  });
  const ended = Promise.all([child.status, stdout, stderr]).then(([status]) =>
    childExitMessage(status, tail, limits.memoryMb)
  );
  const send = (message: ToRunner) => {
    writer.write(encoder.encode(JSON.stringify(message) + "\n")).catch(() => {});
  };
  if (Deno.build.standalone) send({ type: "init", tasksModule });
  return {
    send,
    ended,
    kill() {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    },
  };
}

async function eachLine(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  let buffer = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    lines.forEach(onLine);
  }
  if (buffer) onLine(buffer);
}
