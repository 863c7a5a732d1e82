/**
 * What an idle tq process costs: `tq worker`, `tq serve`, `tq cron` and `tq start` on a
 * fresh KV file with the default flags, side by side, each left alone for
 * `BENCH_IDLE_SECONDS` after it has settled (`BENCH_IDLE_SETTLE_SECONDS`, 45: V8's memory
 * reducer collects once or twice 30-45 s after start-up, 60-140 ms of CPU that idling does
 * not cost again); CPU (user + system, from `/proc/<pid>/stat`) as a share of one core, and
 * resident memory (`VmRSS`) at the end. Runs alone as
 * `deno run -A bench/idle.ts [SECONDS] [SETTLE_SECONDS]`.
 *
 * @example
 * ```ts ignore
 * for (const figure of await idleCase(30, 45)) console.log(figure);
 * ```
 * @module
 */
import { tempDb, TqProcess } from "../tests/integration/tq_process.ts";

/** The commands measured, with the arguments each needs besides `--db`. */
export const IDLE_COMMANDS: Record<string, string[]> = {
  worker: ["worker"],
  serve: ["serve", "--port", "0"],
  cron: ["cron"],
  start: ["start", "--port", "0"],
};

/** One command's idle cost. */
export interface IdleFigure {
  command: string;
  /** CPU time over the window as a percentage of one core. */
  cpuPercent: number;
  rssMb: number;
}

/** Clock ticks per second of `/proc/<pid>/stat` (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds of `pid` so far. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  // The command name may hold spaces: fields count from after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Resident memory of `pid` in MB. */
export async function rssMb(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(status.match(/VmRSS:\s+(\d+)/)![1]) / 1024;
}

/** Starts `tq <command>` on a fresh KV file, waits `settleMs`, then measures `seconds`. */
export async function idleCost(
  command: string,
  seconds: number,
  settleMs: number,
): Promise<IdleFigure> {
  const { db, cleanup } = await tempDb();
  const tq = TqProcess.start([...IDLE_COMMANDS[command], "--db", db]);
  try {
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const before = await cpuSeconds(tq.pid);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
    const used = await cpuSeconds(tq.pid) - before;
    return { command, cpuPercent: (used / seconds) * 100, rssMb: await rssMb(tq.pid) };
  } finally {
    await tq.stop();
    await cleanup();
  }
}

/**
 * Every command of {@linkcode IDLE_COMMANDS}, side by side (idle processes hardly disturb
 * each other, and the case takes one settling time instead of four).
 */
export function idleCase(seconds: number, settleSeconds: number): Promise<IdleFigure[]> {
  const commands = Object.keys(IDLE_COMMANDS);
  return Promise.all(commands.map((command) => idleCost(command, seconds, settleSeconds * 1_000)));
}

if (import.meta.main) {
  const seconds = Number(Deno.args[0] ?? 30);
  for (const figure of await idleCase(seconds, Number(Deno.args[1] ?? 45))) {
    console.log(
      `tq ${figure.command}: ${figure.cpuPercent.toFixed(2)} % of a core, ` +
        `${figure.rssMb.toFixed(1)} MB RSS`,
    );
  }
}
