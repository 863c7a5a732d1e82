/**
 * Where completion callbacks may go. By default a callback is refused when its host is, or
 * resolves to, an address no public receiver has: loopback, private (RFC 1918, fc00::/7),
 * link-local (169.254.0.0/16, fe80::/10), shared (100.64.0.0/10), unspecified, multicast,
 * broadcast or reserved, including the IPv4-mapped, NAT64 and 6to4 forms of those. Without
 * this, a callback is a request forgery: `http://169.254.169.254/` reads cloud metadata,
 * `http://localhost:8000/queues/default/pause` drives tq's own API.
 *
 * Checked twice: at enqueue for literal addresses and `localhost` (a 422 naming
 * `callback_url`), and at delivery after resolving the name (A and AAAA), so a name that
 * points inside is refused too. Deployments whose receivers are internal allow them with
 * `--callback-allow HOST|CIDR` (repeatable) or `TQ_CALLBACK_ALLOW` (comma-separated): a
 * name matches exactly (case-insensitive) and skips the address check; a CIDR or address
 * allows those addresses.
 *
 * What this cannot close: the name is resolved again by `fetch` a moment later, so a name
 * whose answers change in between (DNS rebinding) may still reach inside. Deny egress to
 * internal ranges at the network too where that matters.
 *
 * @example
 * ```ts
 * import { CallbackEgress } from "./egress.ts";
 * const strict = new CallbackEgress();
 * console.assert(strict.enqueueProblem("http://127.0.0.1:6379/") !== undefined);
 * console.assert(strict.enqueueProblem("https://example.com/hook") === undefined);
 * const internal = new CallbackEgress(["10.0.0.0/8", "receiver"]);
 * console.assert(internal.enqueueProblem("http://10.1.2.3/hook") === undefined);
 * ```
 * @module
 */

/** Resolves a name to addresses of one record type, as `Deno.resolveDns` does. */
export type ResolveDns = (name: string, type: "A" | "AAAA") => Promise<string[]>;

/** An address as a number: 32 bits for IPv4, 128 for IPv6. */
interface Address {
  v6: boolean;
  value: bigint;
}

/** A network: an address and how many leading bits must match. */
interface Network extends Address {
  bits: number;
}

/**
 * An IPv4 (dotted quad) or IPv6 address (brackets allowed) as a number; undefined when
 * `text` is not one.
 *
 * @example
 * ```ts
 * import { parseAddress } from "./egress.ts";
 * console.assert(parseAddress("10.0.0.1")?.value === 0x0a000001n);
 * console.assert(parseAddress("[::ffff:127.0.0.1]")?.v6 === true);
 * console.assert(parseAddress("example.com") === undefined);
 * ```
 */
export function parseAddress(text: string): Address | undefined {
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const v4 = parseV4(bare);
  if (v4 !== undefined) return { v6: false, value: v4 };
  const v6 = parseV6(bare);
  return v6 === undefined ? undefined : { v6: true, value: v6 };
}

function parseV4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) {
    return undefined;
  }
  return parts.reduce((sum, p) => (sum << 8n) | BigInt(Number(p)), 0n);
}

function parseV6(text: string): bigint | undefined {
  const zoneless = text.split("%")[0];
  if (!/^[0-9a-fA-F:.]+$/.test(zoneless) || !zoneless.includes(":")) return undefined;
  let groups: string[];
  const halves = zoneless.split("::");
  if (halves.length > 2) return undefined;
  const split = (half: string) => half === "" ? [] : half.split(":");
  const head = split(halves[0]);
  const tail = halves.length === 2 ? split(halves[1]) : [];
  const expand = (list: string[]): string[] | undefined => {
    const last = list.at(-1);
    if (last?.includes(".")) {
      const v4 = parseV4(last);
      if (v4 === undefined) return undefined;
      return [...list.slice(0, -1), (v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16)];
    }
    return list;
  };
  const h = halves.length === 2 ? head : expand(head);
  const t = expand(tail);
  if (!h || !t) return undefined;
  if (halves.length === 2) {
    const missing = 8 - h.length - t.length;
    if (missing < 1) return undefined;
    groups = [...h, ...Array(missing).fill("0"), ...t];
  } else groups = h;
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return groups.reduce((sum, g) => (sum << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function parseNetwork(text: string): Network | undefined {
  const [addr, bitsText, ...rest] = text.split("/");
  const address = parseAddress(addr);
  if (!address || rest.length > 0) return undefined;
  const max = address.v6 ? 128 : 32;
  if (bitsText === undefined) return { ...address, bits: max };
  if (!/^\d{1,3}$/.test(bitsText) || Number(bitsText) > max) return undefined;
  return { ...address, bits: Number(bitsText) };
}

function contains(net: Network, address: Address): boolean {
  if (net.v6 !== address.v6) return false;
  const width = BigInt(net.v6 ? 128 : 32);
  const shift = width - BigInt(net.bits);
  return (net.value >> shift) === (address.value >> shift);
}

const net = (text: string, why: string) => ({ net: parseNetwork(text)!, why });

/** IPv4 networks no public receiver is on, with why. */
const REFUSED_V4 = [
  net("0.0.0.0/8", "unspecified"),
  net("10.0.0.0/8", "private"),
  net("100.64.0.0/10", "shared (carrier-grade NAT)"),
  net("127.0.0.0/8", "loopback"),
  net("169.254.0.0/16", "link-local"),
  net("172.16.0.0/12", "private"),
  net("192.0.0.0/24", "IETF protocol assignments"),
  net("192.168.0.0/16", "private"),
  net("198.18.0.0/15", "benchmarking"),
  net("224.0.0.0/4", "multicast"),
  net("240.0.0.0/4", "reserved or broadcast"),
];

/** IPv6 networks no public receiver is on, with why. */
const REFUSED_V6 = [
  net("::/128", "unspecified"),
  net("::1/128", "loopback"),
  net("fc00::/7", "private (unique local)"),
  net("fe80::/10", "link-local"),
  net("fec0::/10", "site-local"),
  net("ff00::/8", "multicast"),
];

/** IPv6 forms that carry an IPv4 address, and where its 32 bits sit (shift from the right). */
const EMBEDDED_V4 = [
  { net: parseNetwork("::ffff:0:0/96")!, shift: 0n }, // IPv4-mapped
  { net: parseNetwork("::/96")!, shift: 0n }, // IPv4-compatible (deprecated)
  { net: parseNetwork("64:ff9b::/96")!, shift: 0n }, // NAT64
  { net: parseNetwork("2002::/16")!, shift: 80n }, // 6to4
];

/**
 * Why no callback may go to `address` by default; undefined when it may.
 *
 * @example
 * ```ts
 * import { addressRefusal, parseAddress } from "./egress.ts";
 * console.assert(addressRefusal(parseAddress("169.254.169.254")!) === "link-local");
 * console.assert(addressRefusal(parseAddress("::ffff:10.0.0.5")!) === "private");
 * console.assert(addressRefusal(parseAddress("93.184.215.14")!) === undefined);
 * ```
 */
export function addressRefusal(address: Address): string | undefined {
  if (address.v6) {
    for (const { net, shift } of EMBEDDED_V4) {
      if (!contains(net, address)) continue;
      const v4 = { v6: false, value: (address.value >> shift) & 0xffffffffn };
      // ::/96 holds :: and ::1 themselves: those are judged as IPv6 below.
      if (net.bits === 96 && net.value === 0n && v4.value <= 1n) break;
      return addressRefusal(v4);
    }
  }
  return (address.v6 ? REFUSED_V6 : REFUSED_V4).find(({ net }) => contains(net, address))?.why;
}

/** The callback destinations allowed beyond the default, and the checks of a URL. */
export class CallbackEgress {
  readonly #names = new Set<string>();
  readonly #networks: Network[] = [];

  /**
   * `allow`: host names (exact, case-insensitive) and addresses or CIDRs that callbacks
   * may reach although the default refuses them. Throws a `TypeError` naming a bad entry.
   */
  constructor(allow: readonly string[] = []) {
    for (const raw of allow) {
      const entry = raw.trim().toLowerCase().replace(/\.+$/, "");
      if (entry === "") continue;
      const network = parseNetwork(entry);
      if (network) this.#networks.push(network);
      else if (/^[a-z0-9_]([a-z0-9_.-]{0,252})$/.test(entry)) this.#names.add(entry);
      else throw new TypeError(`callback allow entry "${raw}" is neither a host name nor a CIDR`);
    }
  }

  /**
   * What is wrong with the host of `url` as known without DNS: a literal address refused
   * by default and not allowed, or `localhost`. Undefined when nothing is (yet).
   */
  enqueueProblem(url: string): string | undefined {
    const host = hostOf(url);
    if (host === undefined) return undefined; // The URL check itself reports it.
    if (this.#names.has(host)) return undefined;
    if (host === "localhost" || host.endsWith(".localhost")) return this.#refusal(host, "loopback");
    const address = parseAddress(host);
    return address ? this.#addressProblem(host, address) : undefined;
  }

  /**
   * What forbids sending to `url` now: its host checked as at enqueue, then every address
   * its name resolves to. A name that does not resolve is a problem too (the try fails).
   */
  async deliveryProblem(
    url: string,
    resolve: ResolveDns,
  ): Promise<{ refused: boolean; reason: string } | undefined> {
    const early = this.enqueueProblem(url);
    if (early) return { refused: true, reason: early };
    const host = hostOf(url)!;
    if (this.#names.has(host) || parseAddress(host)) return undefined;
    const lookups = await Promise.allSettled([resolve(host, "A"), resolve(host, "AAAA")]);
    const addresses = lookups.flatMap((l) => l.status === "fulfilled" ? l.value : []);
    if (addresses.length === 0) {
      const failed = lookups.find((l) => l.status === "rejected");
      const why = failed ? String((failed as PromiseRejectedResult).reason?.message) : "";
      return { refused: false, reason: `cannot resolve ${host}${why ? `: ${why}` : ""}` };
    }
    for (const text of addresses) {
      const address = parseAddress(text);
      if (!address) return { refused: true, reason: `${host} resolves to "${text}"` };
      const problem = this.#addressProblem(`${host} (${text})`, address);
      if (problem) return { refused: true, reason: problem };
    }
    return undefined;
  }

  #addressProblem(host: string, address: Address): string | undefined {
    const why = addressRefusal(address);
    if (why === undefined || this.#networks.some((n) => contains(n, address))) return undefined;
    return this.#refusal(host, why);
  }

  #refusal(host: string, why: string): string {
    return `${host} is refused (${why} address) unless allowed with --callback-allow ` +
      `(env TQ_CALLBACK_ALLOW)`;
  }
}

/** The host of `url`, lower case, without a trailing dot; undefined when not a URL. */
function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase().replace(/\.+$/, "");
  } catch {
    return undefined;
  }
}

/** The resolver used at delivery unless one is given: `Deno.resolveDns`. */
export const systemResolveDns: ResolveDns = (name, type) => Deno.resolveDns(name, type);
