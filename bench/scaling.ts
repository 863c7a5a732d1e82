/**
 * The scaling case (`BENCH_ONLY=scaling`): how tq's drain rate grows with worker processes
 * and with each one's concurrency, on the KV file and on Redis, and whether one enqueue and
 * one claim cost the same with a short and a long queue. Printed as two Markdown tables for
 * docs/benchmarks.md.
 *
 * @example
 * ```ts ignore
 * console.log(await scalingCase([kvPeer, redisPeer(redis)], tqQueueCost));
 * ```
 * @module
 */
import { CONFIG } from "./config.ts";
import { formatFigure, markdownTable } from "./table.ts";
import { tqEndToEnd } from "./tq_cases.ts";
import type { TqPeer } from "./tq_peer.ts";

/** Median ms of one enqueue and of one claim with `size` jobs queued (`tqQueueCost`). */
export type QueueCost = (
  peer: TqPeer,
  size: number,
) => Promise<{ enqueueMs: number; claimMs: number }>;

const count = (value: number) => value.toLocaleString("en-US");

/** Jobs a drain prefills: fewer at concurrency 1, so that every drain takes a few seconds. */
function drainJobs(concurrency: number): number {
  return concurrency === 1 ? CONFIG.scalingJobsConcurrency1 : CONFIG.scalingJobs;
}

/** Drain rates: a row per peer and worker count, a column per concurrency. */
async function drainTable(peers: TqPeer[]): Promise<string> {
  const rows: string[][] = [];
  for (const peer of peers) {
    for (const workers of CONFIG.scalingWorkers) {
      const row = [`${peer.name}, ${workers} worker${workers === 1 ? "" : "s"}`];
      for (const concurrency of CONFIG.scalingConcurrency) {
        const jobs = drainJobs(concurrency);
        const { rate, workersRan } = await tqEndToEnd(peer, {
          jobs,
          sleepMs: 0,
          concurrency,
          workers,
          startTogether: true,
        });
        // A worker that claimed nothing (the others took every job): the figure is of fewer.
        const cell = formatFigure(rate) + (workersRan < workers ? ` (${workersRan} ran)` : "");
        console.error(`scaling: ${row[0]} × ${concurrency}, drain: ${cell} jobs/s`);
        row.push(cell);
      }
      rows.push(row);
    }
  }
  const header = CONFIG.scalingConcurrency.map((concurrency) => `concurrency ${concurrency}`);
  return markdownTable(["drain, jobs/s", ...header], rows);
}

/** Enqueue and claim cost at the short and the long queue, and how it grows between them. */
async function costTable(peers: TqPeer[], queueCost: QueueCost): Promise<string> {
  const [short, long] = [CONFIG.scalingSmall, CONFIG.claimJobs];
  const rows: string[][] = [];
  for (const peer of peers) {
    const [atShort, atLong] = [await queueCost(peer, short), await queueCost(peer, long)];
    for (const [what, figure] of [["enqueue", "enqueueMs"], ["claim", "claimMs"]] as const) {
      const label = `${peer.name}, ${what} one job`;
      const cells = [atShort[figure], atLong[figure], atLong[figure] / atShort[figure]];
      console.error(`scaling: ${label}, ms: ${cells.map(formatFigure).join(", ")}`);
      rows.push([label, ...cells.map(formatFigure)]);
    }
  }
  return markdownTable(
    [
      "median ms",
      `${count(short)} queued`,
      `${count(long)} queued`,
      `${count(long)} ÷ ${count(short)}`,
    ],
    rows,
  );
}

/**
 * Both tables, under a line that says how they were measured. `queueCost` may answer from
 * an earlier case's run (the claim case fills the same long queue).
 */
export async function scalingCase(peers: TqPeer[], queueCost: QueueCost): Promise<string> {
  const drains = await drainTable(peers);
  const costs = await costTable(peers, queueCost);
  const atOne = CONFIG.scalingConcurrency.includes(1)
    ? ` (${count(CONFIG.scalingJobsConcurrency1)} at concurrency 1)`
    : "";
  const jobs = `${count(CONFIG.scalingJobs)} prefilled no-op jobs${atOne}`;
  return `Scaling: each drain ${jobs}, held until every worker registered and timed from the last one's first start to the last finish; ` +
    `enqueue and claim one job at a time, median of ${CONFIG.claimSamples}.\n\n` +
    `${drains}\n\n${costs}`;
}
