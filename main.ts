/**
 * The `tq` binary. See `tq --help`, or README.md.
 * @module
 */
import { main } from "./src/cli/main.ts";

if (import.meta.main) Deno.exit(await main(Deno.args));
