/**
 * The machine and software a benchmark ran on, as one Markdown paragraph: date, cores, CPU
 * model and memory (from /proc), and the versions of Deno, Node, redis-server and BullMQ.
 *
 * @example
 * ```ts ignore
 * console.log(await machine());
 * ```
 * @module
 */
const text = async (command: string, args: string[]) => {
  const { stdout } = await new Deno.Command(command, { args, stdout: "piped" }).output();
  return new TextDecoder().decode(stdout).trim();
};

/** Date, hardware and versions. */
export async function machine(): Promise<string> {
  const cpu = (await Deno.readTextFile("/proc/cpuinfo")).match(/model name\s*:\s*(.*)/)?.[1];
  const memKb = Number((await Deno.readTextFile("/proc/meminfo")).match(/MemTotal:\s+(\d+)/)![1]);
  const redis = (await text("redis-server", ["--version"])).match(/v=(\S+)/)?.[1];
  const bullmq = JSON.parse(
    await Deno.readTextFile(new URL("./bullmq/node_modules/bullmq/package.json", import.meta.url)),
  ).version;
  return `\n${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC; ` +
    `${navigator.hardwareConcurrency} cores (${cpu}), ${(memKb / 1024 / 1024).toFixed(1)} GiB; ` +
    `Deno ${Deno.version.deno}, Node ${await text("node", [
      "--version",
    ])}, redis-server ${redis}, ` +
    `BullMQ ${bullmq}.`;
}
