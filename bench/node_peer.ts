/**
 * Runs the benchmark's Node side (`bench/bullmq/*.mjs`: BullMQ and autocannon) as child
 * processes. Each script takes one JSON object as its argument and prints one JSON line;
 * its dependencies are installed from the pinned package-lock.json on first use.
 *
 * @example
 * ```ts ignore
 * const { p50 } = await runNode<{ p50: number }>("latency.mjs", { url, samples: 200 });
 * ```
 * @module
 */
const DIR = new URL("./bullmq/", import.meta.url).pathname;

/** `npm ci` in bench/bullmq unless its node_modules is there. */
export async function ensureNodeDeps(): Promise<void> {
  try {
    await Deno.stat(`${DIR}node_modules/bullmq`);
    return;
  } catch {
    // Not installed yet.
  }
  console.error("installing bench/bullmq's npm packages (npm ci)…");
  const { code } = await new Deno.Command("npm", {
    args: ["ci", "--no-audit", "--no-fund"],
    cwd: DIR,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) throw new Error(`npm ci in ${DIR} failed (${code})`);
}

function command(script: string, args: unknown): Deno.Command {
  return new Deno.Command("node", {
    args: [`${DIR}${script}`, JSON.stringify(args)],
    cwd: DIR,
    stdout: "piped",
    stderr: "inherit",
  });
}

/** Runs a script to its end and returns the JSON it printed. */
export async function runNode<T>(script: string, args: unknown): Promise<T> {
  const { code, stdout } = await command(script, args).output();
  const text = new TextDecoder().decode(stdout).trim();
  if (code !== 0) throw new Error(`node ${script} exited with ${code}: ${text}`);
  return JSON.parse(text.split("\n").at(-1)!);
}

/** A script that keeps running (a server): its first JSON line, and `stop()`. */
export async function startNode<T>(
  script: string,
  args: unknown,
): Promise<{ first: T; stop(): Promise<void> }> {
  const child = command(script, args).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`node ${script} ended before it was ready`);
    text += value;
  }
  reader.releaseLock();
  child.stdout.cancel().catch(() => {});
  return {
    first: JSON.parse(text.split("\n")[0]),
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      await child.status;
    },
  };
}
