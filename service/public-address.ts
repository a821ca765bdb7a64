import { isIPv4, isIPv6 } from "node:net";

/**
 * Address ranges a public short link must not point into, by name. A link is
 * followed by strangers' browsers: a loopback or private target sends each
 * visitor to their own machine or network (routers, NAS admin pages, cloud
 * metadata), which is how drive-by requests to home routers are delivered.
 *
 * Sources: the IANA IPv4 and IPv6 Special-Purpose Address Registries
 * (https://www.iana.org/assignments/iana-ipv4-special-registry and
 * iana-ipv6-special-registry, RFC 6890 and later). An address is refused when
 * the most specific registry entry holding it is not "globally reachable";
 * the entries that are (anycast services, AS112, AMT, ORCHIDv2, ...) are
 * listed as `public` so they win over the block around them. Multicast, the
 * IPv4 reserved block and IPv6 outside global unicast (2000::/3, the rest of
 * the IPv6 Address Space registry being "Reserved by IETF") are refused too.
 *
 * IPv6 forms that carry an IPv4 address are judged by that address as well:
 * IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d, deprecated by
 * RFC 4291, so refused whatever it carries), NAT64 (64:ff9b::/96, RFC 6052)
 * and 6to4 (2002:AABB:CCDD::/48, RFC 3056).
 */
interface Entry {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly prefix: number;
  /** The registry's "Globally Reachable: True": a public address inside a refused block. */
  readonly public?: boolean;
  /** Where the IPv4 address an IPv6 form carries starts (bit offset), for the embedded forms. */
  readonly embedsAt?: number;
}

type Spec = readonly [name: string, cidr: string, extra?: { public?: boolean; embedsAt?: number }];

const IPV4: readonly Spec[] = [
  ["unspecified", "0.0.0.0/8"], // "This network" (RFC 791), and 0.0.0.0/32 "this host"
  ["private", "10.0.0.0/8"],
  ["shared (carrier-grade NAT)", "100.64.0.0/10"],
  ["loopback", "127.0.0.0/8"],
  ["link-local", "169.254.0.0/16"],
  ["private", "172.16.0.0/12"],
  ["IETF protocol assignments", "192.0.0.0/24"],
  ["IPv4 service continuity prefix", "192.0.0.0/29"],
  ["IPv4 dummy address", "192.0.0.8/32"],
  ["Port Control Protocol anycast", "192.0.0.9/32", { public: true }],
  ["TURN anycast", "192.0.0.10/32", { public: true }],
  ["NAT64/DNS64 discovery", "192.0.0.170/31"],
  ["documentation (TEST-NET-1)", "192.0.2.0/24"],
  ["AS112", "192.31.196.0/24", { public: true }],
  ["AMT", "192.52.193.0/24", { public: true }],
  ["deprecated (6to4 relay anycast)", "192.88.99.0/24"],
  ["private", "192.168.0.0/16"],
  ["AS112", "192.175.48.0/24", { public: true }],
  ["benchmarking", "198.18.0.0/15"],
  ["documentation (TEST-NET-2)", "198.51.100.0/24"],
  ["documentation (TEST-NET-3)", "203.0.113.0/24"],
  ["multicast", "224.0.0.0/4"],
  ["reserved", "240.0.0.0/4"],
  ["limited broadcast", "255.255.255.255/32"],
];

const IPV6: readonly Spec[] = [
  ["reserved (outside IPv6 global unicast, 2000::/3)", "::/0"],
  ["public", "2000::/3", { public: true }],
  ["unspecified", "::/128"],
  ["loopback", "::1/128"],
  ["IPv4-compatible (deprecated, RFC 4291)", "::/96", { embedsAt: 96 }],
  ["IPv4-mapped", "::ffff:0:0/96", { public: true, embedsAt: 96 }],
  ["NAT64", "64:ff9b::/96", { public: true, embedsAt: 96 }],
  ["IPv4/IPv6 translation, local use", "64:ff9b:1::/48"],
  ["discard-only", "100::/64"],
  ["dummy IPv6 prefix", "100:0:0:1::/64"],
  ["IETF protocol assignments", "2001::/23"],
  ["Teredo", "2001::/32"],
  ["Port Control Protocol anycast", "2001:1::1/128", { public: true }],
  ["TURN anycast", "2001:1::2/128", { public: true }],
  ["DNS-SD service registration anycast", "2001:1::3/128", { public: true }],
  ["benchmarking", "2001:2::/48"],
  ["AMT", "2001:3::/32", { public: true }],
  ["AS112-v6", "2001:4:112::/48", { public: true }],
  ["deprecated (ORCHID)", "2001:10::/28"],
  ["ORCHIDv2", "2001:20::/28", { public: true }],
  ["drone remote ID", "2001:30::/28", { public: true }],
  ["documentation", "2001:db8::/32"],
  ["6to4", "2002::/16", { public: true, embedsAt: 16 }],
  ["AS112", "2620:4f:8000::/48", { public: true }],
  ["documentation", "3fff::/20"],
  ["segment routing SIDs", "5f00::/16"],
  ["private (unique local)", "fc00::/7"],
  ["link-local", "fe80::/10"],
  ["multicast", "ff00::/8"],
];

const entries = (specs: readonly Spec[], parse: (address: string) => Uint8Array | undefined): Entry[] =>
  specs
    .map(([name, cidr, extra]) => {
      const [address = "", prefix = ""] = cidr.split("/");
      const bytes = parse(address);
      if (!bytes) throw new Error(`bad range ${cidr}`);
      return { name, bytes, prefix: Number(prefix), ...extra };
    })
    // Most specific first: the first entry that holds an address is the one that decides.
    .sort((a, b) => b.prefix - a.prefix);

const V4 = entries(IPV4, parseIPv4);
const V6 = entries(IPV6, parseIPv6);

/**
 * The name of the non-public range an IP address falls in, or undefined for a
 * public address (or a string that is not an IP address). An IPv6 form that
 * carries an IPv4 address names that address's range and the form.
 */
export function nonPublicRange(address: string): string | undefined {
  const v4 = parseIPv4(address);
  if (v4) return v4Refusal(v4);
  const v6 = parseIPv6(address);
  if (!v6) return undefined;
  const entry = mostSpecific(V6, v6)!; // ::/0 holds every address
  if (entry.embedsAt !== undefined) {
    const carried = bitsAt(v6, entry.embedsAt);
    const refusal = v4Refusal(carried);
    if (refusal) return `${refusal}: ${carried.join(".")} in ${entry.name} form`;
  }
  return entry.public ? undefined : entry.name;
}

function v4Refusal(bytes: Uint8Array): string | undefined {
  const entry = mostSpecific(V4, bytes);
  return entry && !entry.public ? entry.name : undefined;
}

const mostSpecific = (list: readonly Entry[], bytes: Uint8Array): Entry | undefined =>
  list.find((e) => bytes.length === e.bytes.length && samePrefix(bytes, e.bytes, e.prefix));

function samePrefix(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const mask = 0x80 >> (i % 8);
    if ((a[i >> 3]! & mask) !== (b[i >> 3]! & mask)) return false;
  }
  return true;
}

/** The four bytes starting at bit `offset` (a multiple of 8). */
const bitsAt = (bytes: Uint8Array, offset: number): Uint8Array => bytes.slice(offset / 8, offset / 8 + 4);

/** Dotted-quad IPv4 (the URL parser has already turned 0x7f.1 and 2130706433 into 127.0.0.1). */
function parseIPv4(address: string): Uint8Array | undefined {
  if (!isIPv4(address)) return undefined;
  return Uint8Array.from(address.split(".").map(Number));
}

/** An IPv6 address as 16 bytes; accepts `::` compression and a dotted IPv4 tail. */
function parseIPv6(address: string): Uint8Array | undefined {
  if (!isIPv6(address)) return undefined;
  let text = address;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (tail) {
    const [a, b, c, d] = tail.split(".").map(Number) as [number, number, number, number];
    text = `${text.slice(0, -tail.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", rest] = text.split("::");
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const all =
    rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  const bytes = new Uint8Array(16);
  all.forEach((group, i) => {
    const n = parseInt(group, 16);
    bytes[2 * i] = n >> 8;
    bytes[2 * i + 1] = n & 0xff;
  });
  return bytes;
}
