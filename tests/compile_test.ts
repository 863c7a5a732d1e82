/**
 * `deno task compile` builds the one `tq` binary. `deno compile` needs a `denort` base
 * binary of the same Deno version, which it downloads from Deno's own site; machines
 * without that site skip this test, saying why (the Dockerfile's build stage runs it).
 */
import { assert, assertEquals } from "./assert.ts";
import { denortPresent } from "./denort.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const denort = denortPresent("compile test");

Deno.test({
  name: "deno task compile builds a tq binary that runs",
  ignore: !denort,
  async fn() {
    const build = await new Deno.Command(Deno.execPath(), {
      args: ["task", "compile"],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(build.code, 0, new TextDecoder().decode(build.stderr));
    const help = await new Deno.Command(`${ROOT}dist/tq`, { args: ["--help"] }).output();
    assertEquals(help.code, 0);
    assert(new TextDecoder().decode(help.stdout).includes("tq COMMAND"));
  },
});
