/**
 * Runs only the `heavy` bench case and prints its table (`deno task bench` with
 * `BENCH_ONLY=heavy` runs the same, after starting the other peers' servers).
 *
 * @example
 * ```sh
 * deno run --allow-all bench/heavy_main.ts
 * ```
 * @module
 */
import { heavyCase } from "./heavy.ts";

if (import.meta.main) {
  const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
  const rows = await heavyCase();
  const after = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
  console.log(`${new Date().toISOString()}, load before ${load}, after ${after}\n`);
  console.log("| heavy work | value |\n| --- | --- |");
  for (const [label, value] of rows) console.log(`| ${label} | ${value} |`);
}
