/**
 * The overview's chart: jobs finished and failed per minute over the last hour, as an SVG
 * drawn on the server (no script, no library; colours come from the stylesheet's classes).
 *
 * @example
 * ```ts
 * import { perMinute, rateChart } from "./chart.ts";
 * const minutes = perMinute([{ key: ["minute", 1, "finished"], value: 3 }], 60_000 * 2);
 * console.assert(minutes.at(-2)!.finished === 3);
 * const svg = await rateChart(minutes);
 * ```
 * @module
 */
import { html } from "hono/html";
import { MINUTE_MS } from "../../metrics/stat_deltas.ts";
import type { StatEntry } from "../../metrics/stat_deltas.ts";
import type { Html } from "./layout.ts";

/** One minute's ended jobs. */
export interface MinuteCount {
  minute: number;
  finished: number;
  failed: number;
}

/** Minutes shown. */
export const CHART_MINUTES = 60;

/**
 * The last {@linkcode CHART_MINUTES} minutes up to `now`, oldest first, from the store's
 * `["minute", m, state]` statistics.
 */
export function perMinute(stats: StatEntry[], now: number): MinuteCount[] {
  const last = Math.floor(now / MINUTE_MS);
  const minutes = Array.from(
    { length: CHART_MINUTES },
    (_, i) => ({ minute: last - CHART_MINUTES + 1 + i, finished: 0, failed: 0 }),
  );
  for (const { key, value } of stats) {
    if (key[0] !== "minute") continue;
    const slot = minutes[(key[1] as number) - minutes[0].minute];
    if (slot && (key[2] === "finished" || key[2] === "failed")) slot[key[2]] += value;
  }
  return minutes;
}

const WIDTH = 600;
const HEIGHT = 120;

/** Stacked bars per minute: finished below, failed on top. */
export function rateChart(minutes: MinuteCount[]): Html {
  const peak = Math.max(1, ...minutes.map((m) => m.finished + m.failed));
  const barWidth = WIDTH / minutes.length;
  const bars = minutes.map((m, i) => {
    const x = (i * barWidth).toFixed(1);
    const w = Math.max(1, barWidth - 1).toFixed(1);
    const hOk = (m.finished / peak) * HEIGHT;
    const hBad = (m.failed / peak) * HEIGHT;
    const label = `${new Date(m.minute * MINUTE_MS).toISOString().slice(11, 16)}Z: ` +
      `${m.finished} finished, ${m.failed} failed`;
    return html`
      <g>
        <title>${label}</title>
        <rect class="bar-finished" x="${x}" y="${(HEIGHT - hOk).toFixed(1)}" width="${w}"
          height="${hOk.toFixed(1)}"></rect>
        <rect class="bar-failed" x="${x}" y="${(HEIGHT - hOk - hBad).toFixed(1)}" width="${w}"
          height="${hBad.toFixed(1)}"></rect>
      </g>
    `;
  });
  const total = minutes.reduce((n, m) => n + m.finished + m.failed, 0);
  return html`
    <figure class="chart">
      <svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img"
        aria-label="Jobs finished and failed per minute, last hour">${bars}</svg>
      <figcaption>Per minute, last hour: <span class="key-finished">finished</span>, <span class="key-failed">failed</span> (peak ${peak}/min, ${total} in all)</figcaption>
    </figure>
  `;
}
