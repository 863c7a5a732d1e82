/**
 * Throwaway "hosts" for the multi-host test: Linux network namespaces joined by veth pairs
 * to a bridge in a namespace of their own, with addresses from 10.77.0.0/24 inside the
 * namespaces only (the machine's own network is never touched). Needs root and `ip`;
 * {@linkcode netnsUnavailable} says why not, for a clear skip.
 *
 * @example
 * ```ts ignore
 * const lan = await Lan.create(["redis", "serve"]);
 * const child = lan.host("serve").spawn(["deno", "run", "main.ts", "serve"]);
 * await lan.destroy();
 * ```
 * @module
 */

async function ip(...args: string[]): Promise<void> {
  const { code, stderr } = await new Deno.Command("ip", { args, stderr: "piped" }).output();
  if (code !== 0) {
    throw new Error(`ip ${args.join(" ")}: ${new TextDecoder().decode(stderr).trim()}`);
  }
}

/** Why namespaces cannot be made here, or null when they can. */
export async function netnsUnavailable(): Promise<string | null> {
  if (Deno.build.os !== "linux") return "network namespaces are Linux only";
  if (Deno.uid() !== 0) return "making network namespaces needs root";
  const probe = `tq-probe-${Deno.pid}`;
  try {
    await ip("netns", "add", probe);
    await ip("netns", "del", probe);
    return null;
  } catch (error) {
    return `cannot make a network namespace: ${(error as Error).message}`;
  }
}

/** One namespace with one interface and address on the LAN. */
export class Host {
  constructor(readonly ns: string, readonly nic: string, readonly address: string) {}

  /** Starts a command inside this host's namespace. */
  spawn(command: string[], env: Record<string, string> = {}, cwd?: string): Deno.ChildProcess {
    return new Deno.Command("ip", {
      args: ["netns", "exec", this.ns, ...command],
      env,
      cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  }

  /** Pulls the cable: the host's interface goes down. */
  async unplug(): Promise<void> {
    await ip("-n", this.ns, "link", "set", this.nic, "down");
  }
}

/** Hosts on one bridged LAN; `destroy` removes every namespace (and so every link). */
export class Lan {
  readonly #hosts = new Map<string, Host>();
  readonly #switch: string;
  readonly #tag: string;

  private constructor(tag: string) {
    this.#tag = tag;
    this.#switch = `tq-${tag}-sw`;
  }

  /** Makes the switch and one host per name, addresses 10.77.0.1, .2, … in order. */
  static async create(names: string[]): Promise<Lan> {
    const lan = new Lan(Math.random().toString(36).slice(2, 7));
    try {
      await ip("netns", "add", lan.#switch);
      await ip("-n", lan.#switch, "link", "add", "br0", "type", "bridge");
      await ip("-n", lan.#switch, "link", "set", "br0", "up");
      for (const [i, name] of names.entries()) await lan.#addHost(name, i + 1);
      return lan;
    } catch (error) {
      await lan.destroy();
      throw error;
    }
  }

  host(name: string): Host {
    const host = this.#hosts.get(name);
    if (!host) throw new RangeError(`no host ${name}`);
    return host;
  }

  /** Deletes every namespace it made; the veth pairs go with them. */
  async destroy(): Promise<void> {
    for (const ns of [...[...this.#hosts.values()].map((h) => h.ns), this.#switch]) {
      await ip("netns", "del", ns).catch(() => {});
    }
  }

  async #addHost(name: string, n: number): Promise<void> {
    const ns = `tq-${this.#tag}-${n}`;
    const [inside, port] = [`eth-${this.#tag}${n}`, `sw-${this.#tag}${n}`];
    await ip("netns", "add", ns);
    this.#hosts.set(name, new Host(ns, inside, `10.77.0.${n}`));
    await ip(
      "link",
      "add",
      inside,
      "netns",
      ns,
      "type",
      "veth",
      "peer",
      port,
      "netns",
      this.#switch,
    );
    await ip("-n", this.#switch, "link", "set", port, "master", "br0", "up");
    await ip("-n", ns, "addr", "add", `10.77.0.${n}/24`, "dev", inside);
    await ip("-n", ns, "link", "set", inside, "up");
    await ip("-n", ns, "link", "set", "lo", "up");
  }
}
