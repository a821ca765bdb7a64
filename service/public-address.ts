import { BlockList, isIPv4 } from "node:net";

/**
 * Address ranges a public short link must not point into, by name. A link is
 * followed by strangers' browsers: a loopback or private target sends each
 * visitor to their own machine or network (routers, NAS admin pages, cloud
 * metadata), which is how drive-by requests to home routers are delivered.
 * Source: IANA IPv4/IPv6 Special-Purpose Address Registries (RFC 6890).
 */
const RANGES: ReadonlyArray<readonly [name: string, cidrs: ReadonlyArray<string>]> = [
  ["loopback", ["127.0.0.0/8", "::1/128"]],
  ["unspecified", ["0.0.0.0/8", "::/128"]],
  ["private", ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"]],
  ["shared (carrier-grade NAT)", ["100.64.0.0/10"]],
  ["link-local", ["169.254.0.0/16", "fe80::/10"]],
  ["multicast", ["224.0.0.0/4", "ff00::/8"]],
  ["reserved", ["240.0.0.0/4"]],
];

const LISTS = RANGES.map(([name, cidrs]) => {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = "", prefix] = cidr.split("/");
    list.addSubnet(address, Number(prefix), isIPv4(address) ? "ipv4" : "ipv6");
  }
  return [name, list] as const;
});

/**
 * The name of the non-public range an IP address falls in, or undefined for a
 * public address. IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) are checked
 * as the IPv4 address they carry.
 */
export function nonPublicRange(address: string): string | undefined {
  const family = isIPv4(address) ? "ipv4" : "ipv6";
  return LISTS.find(([, list]) => list.check(address, family))?.[0];
}
