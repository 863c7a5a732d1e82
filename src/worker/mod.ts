/**
 * The worker engine and its maintenance services: what `tq worker` runs.
 *
 * @example
 * ```ts ignore
 * import { Worker } from "./mod.ts";
 * import { openKvStore } from "../store/kv/kv_store.ts";
 * import { registry } from "../../tasks/mod.ts";
 * const worker = new Worker({ store: await openKvStore("./data/tq.db"), registry });
 * worker.start();
 * Deno.addSignalListener("SIGINT", () => worker.stop());
 * ```
 * @module
 */
export { newWorkerId, registryQueues, Worker, type WorkerOptions } from "./worker.ts";
export { Service } from "../service.ts";
export { Promoter, type PromoterOptions } from "../maintenance/promoter.ts";
export { Rescuer, type RescuerOptions } from "../maintenance/rescuer.ts";
export { Pruner, type PrunerOptions } from "../maintenance/pruner.ts";
