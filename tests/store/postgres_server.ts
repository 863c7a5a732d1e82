/**
 * A private PostgreSQL cluster for tests: `initdb` in a temp dir owned by the `postgres`
 * user (PostgreSQL refuses to run as root), the server on 127.0.0.1 and a free port, its
 * unix socket inside the temp dir, fsync off; stopped by PID (`pg_ctl stop -m immediate`).
 * Binaries come from `/usr/lib/postgresql/<version>/bin` (Debian's layout), else from PATH.
 * Without PostgreSQL installed it fails loudly, saying how to get it.
 *
 * @example
 * ```ts ignore
 * const server = await PostgresServer.start();
 * const store = await openPostgresStore(server.url, { schema: server.freshSchema() });
 * await server.stop();
 * ```
 * @module
 */
import { freePort, startOnFreshPorts } from "./redis_server.ts";

/** How long a starting server may take to accept connections. */
const READY_TIMEOUT_MS = 30_000;

/** The directory holding `initdb` and `pg_ctl`: Debian's newest version, else PATH (""). */
function binDir(): string {
  try {
    const versions = [...Deno.readDirSync("/usr/lib/postgresql")]
      .map((entry) => entry.name)
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    for (const version of versions) {
      const dir = `/usr/lib/postgresql/${version}/bin`;
      try {
        Deno.statSync(`${dir}/initdb`);
        return dir;
      } catch {
        // Not this one.
      }
    }
  } catch {
    // No Debian layout.
  }
  return "";
}

/** Whether this process runs as root, so PostgreSQL must be run as another user. */
const isRoot = () => Deno.uid() === 0;

/** Runs a PostgreSQL binary (as `postgres` when we are root); throws with its output on failure. */
async function run(bin: string, args: string[]): Promise<void> {
  const command = isRoot()
    ? new Deno.Command("runuser", { args: ["-u", "postgres", "--", bin, ...args] })
    : new Deno.Command(bin, { args });
  let output: Deno.CommandOutput;
  try {
    output = await command.output();
  } catch (error) {
    throw new Error(
      `cannot run ${bin} (${(error as Error).message}): the PostgreSQL tests need it. ` +
        "`.ci/run` installs it (apt-get install -y postgresql); on a Mac, `brew install postgresql`.",
    );
  }
  if (!output.success) {
    const text = new TextDecoder().decode(output.stderr) + new TextDecoder().decode(output.stdout);
    throw new Error(`${bin} ${args.join(" ")} failed: ${text}`);
  }
}

/** A running private PostgreSQL cluster. */
export class PostgresServer {
  readonly port: number;
  readonly dir: string;
  readonly #pgCtl: string;
  #schemas = 0;

  private constructor(port: number, dir: string, pgCtl: string) {
    this.port = port;
    this.dir = dir;
    this.#pgCtl = pgCtl;
  }

  /** Creates and starts a cluster; resolves once it accepts connections. */
  static async start(): Promise<PostgresServer> {
    const bin = binDir();
    const path = (name: string) => bin ? `${bin}/${name}` : name;
    const dir = await Deno.makeTempDir({ prefix: "tq-postgres-" });
    if (isRoot()) await Deno.chmod(dir, 0o777); // the postgres user creates its files in it
    await run(path("initdb"), [
      "-D",
      `${dir}/data`,
      "-U",
      "postgres",
      "--auth=trust",
      "--no-sync",
      "-E",
      "UTF8",
    ]);
    const pgCtl = path("pg_ctl");
    // pg_ctl fails at once on a taken port, and the log says so (its lines are appended:
    // removed after each look, for the next try's).
    const portTaken = async () => {
      const log = await Deno.readTextFile(`${dir}/log`).catch(() => "");
      await Deno.remove(`${dir}/log`).catch(() => {});
      return log.includes("Address already in use");
    };
    try {
      return await startOnFreshPorts(async () => {
        const server = new PostgresServer(freePort(), dir, pgCtl);
        await server.#start();
        return server;
      }, portTaken);
    } catch (error) {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      throw error;
    }
  }

  /** `pg_ctl start` on the initialised data dir, resolved once the server accepts connections. */
  async #start(): Promise<void> {
    const dir = this.dir;
    const options = [
      `-p ${this.port}`,
      "-c listen_addresses=127.0.0.1",
      `-c unix_socket_directories=${dir}`,
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      "-c max_connections=200",
    ].join(" ");
    await run(this.#pgCtl, [
      "start",
      "-D",
      `${dir}/data`,
      "-l",
      `${dir}/log`,
      "-w",
      "-t",
      String(READY_TIMEOUT_MS / 1000),
      "-o",
      options,
    ]);
  }

  /** A connection URL for the `postgres` superuser and database. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** A schema name no other test of this server has used. */
  freshSchema(): string {
    return `t${++this.#schemas}_${crypto.randomUUID().slice(0, 8)}`;
  }

  /** The server's PID, from its `postmaster.pid`. */
  get pid(): number {
    return Number(Deno.readTextFileSync(`${this.dir}/data/postmaster.pid`).split("\n")[0]);
  }

  /** For an `unload` handler, which cannot wait: the same stop, run synchronously. */
  stopNow(): void {
    const args = ["stop", "-D", `${this.dir}/data`, "-m", "immediate", "-w"];
    try {
      (isRoot()
        ? new Deno.Command("runuser", { args: ["-u", "postgres", "--", this.#pgCtl, ...args] })
        : new Deno.Command(this.#pgCtl, { args })).outputSync();
      Deno.removeSync(this.dir, { recursive: true });
    } catch {
      // Already stopped and removed by stop().
    }
  }

  /** `pg_ctl stop -m immediate` and the temp dir removed; safe to call again. */
  async stop(): Promise<void> {
    await run(this.#pgCtl, ["stop", "-D", `${this.dir}/data`, "-m", "immediate", "-w"])
      .catch(() => {});
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}
