/**
 * `deno compile` needs a `denort` base binary of the same Deno version, which it downloads
 * from Deno's own site. Tests that compile run only where it is at hand (or `DENORT_BIN`
 * names it), and say why they are skipped elsewhere.
 *
 * @example
 * ```ts ignore
 * Deno.test({ name: "compiles", ignore: !denortPresent("compile test"), fn() {} });
 * ```
 * @module
 */
const TARGET = "x86_64-unknown-linux-gnu";

/** Where the base binary is, or `undefined` (after logging that `what` is skipped). */
export function denortPresent(what: string): string | undefined {
  const fromEnv = Deno.env.get("DENORT_BIN");
  if (fromEnv) return fromEnv;
  const denoDir = Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`;
  const zip = `${denoDir}/dl/release/v${Deno.version.deno}/denort-${TARGET}.zip`;
  try {
    Deno.statSync(zip);
    return zip;
  } catch {
    console.log(
      `${what} skipped: no denort ${Deno.version.deno} for ${TARGET} here ` +
        "(set DENORT_BIN, or run where deno compile can download it, as the Dockerfile does)",
    );
    return undefined;
  }
}
