/**
 * The npm packages of the benchmark's Node side, in one place. Imported dynamically on
 * purpose: `deno check bench/` sees these files too, and Deno does not resolve packages
 * from this folder's own node_modules; it leaves dynamic imports to run time (Node's).
 *
 * @example
 * ```js
 * import { Queue } from "./deps.mjs";
 * ```
 * @module
 */
export const { Queue, Worker } = await import("bullmq");
export const { Redis } = await import("ioredis");
