import { nonPublicRange } from "../../service/public-address";

// One row per entry of the IANA IPv4 and IPv6 Special-Purpose Address Registries
// (https://www.iana.org/assignments/iana-ipv4-special-registry, iana-ipv6-special-registry):
// an address inside it, and what the filter must say. `undefined` = globally reachable, accepted.
const IPV4: Array<[address: string, range: string | undefined]> = [
  ["0.0.0.0", "unspecified"],
  ["0.1.2.3", "unspecified"],
  ["10.1.2.3", "private"],
  ["100.64.0.1", "shared (carrier-grade NAT)"],
  ["100.127.255.254", "shared (carrier-grade NAT)"],
  ["127.0.0.1", "loopback"],
  ["169.254.169.254", "link-local"],
  ["172.16.0.1", "private"],
  ["172.31.255.255", "private"],
  ["192.0.0.1", "IPv4 service continuity prefix"],
  ["192.0.0.8", "IPv4 dummy address"],
  ["192.0.0.9", undefined], // Port Control Protocol anycast: globally reachable
  ["192.0.0.10", undefined], // TURN anycast: globally reachable
  ["192.0.0.100", "IETF protocol assignments"],
  ["192.0.0.170", "NAT64/DNS64 discovery"],
  ["192.0.0.171", "NAT64/DNS64 discovery"],
  ["192.0.2.1", "documentation (TEST-NET-1)"],
  ["192.31.196.1", undefined], // AS112-v4
  ["192.52.193.1", undefined], // AMT
  ["192.88.99.1", "deprecated (6to4 relay anycast)"],
  ["192.168.1.1", "private"],
  ["192.175.48.1", undefined], // AS112 direct delegation
  ["198.18.0.1", "benchmarking"],
  ["198.19.255.255", "benchmarking"],
  ["198.51.100.1", "documentation (TEST-NET-2)"],
  ["203.0.113.1", "documentation (TEST-NET-3)"],
  ["224.0.0.1", "multicast"],
  ["240.0.0.1", "reserved"],
  ["255.255.255.255", "limited broadcast"],
  // Neighbours of refused blocks stay public.
  ["100.63.255.255", undefined],
  ["100.128.0.0", undefined],
  ["172.32.0.0", undefined],
  ["192.0.1.1", undefined],
  ["198.17.255.255", undefined],
  ["198.20.0.0", undefined],
  ["8.8.8.8", undefined],
  ["93.184.215.14", undefined],
];

const IPV6: Array<[address: string, range: string | undefined]> = [
  ["::", "unspecified"],
  ["::1", "loopback"],
  ["::ffff:127.0.0.1", "loopback: 127.0.0.1 in IPv4-mapped form"],
  ["::ffff:a9fe:a9fe", "link-local: 169.254.169.254 in IPv4-mapped form"],
  ["::ffff:c000:201", "documentation (TEST-NET-1): 192.0.2.1 in IPv4-mapped form"],
  ["::ffff:8.8.8.8", undefined], // mapped: browsers connect to 8.8.8.8
  ["::127.0.0.1", "loopback: 127.0.0.1 in IPv4-compatible (deprecated, RFC 4291) form"],
  ["::a00:1", "private: 10.0.0.1 in IPv4-compatible (deprecated, RFC 4291) form"],
  ["::8.8.8.8", "IPv4-compatible (deprecated, RFC 4291)"],
  ["64:ff9b::a9fe:a9fe", "link-local: 169.254.169.254 in NAT64 form"],
  ["64:ff9b::7f00:1", "loopback: 127.0.0.1 in NAT64 form"],
  ["64:ff9b::c633:6401", "documentation (TEST-NET-2): 198.51.100.1 in NAT64 form"],
  ["64:ff9b::808:808", undefined], // NAT64 of a public address: globally reachable
  ["64:ff9b:1::808:808", "IPv4/IPv6 translation, local use"],
  ["64:ff9b:1:a9fe:a9:fe00::", "IPv4/IPv6 translation, local use"],
  ["100::1", "discard-only"],
  ["100:0:0:1::1", "dummy IPv6 prefix"],
  ["2001::1", "Teredo"],
  ["2001:1::1", undefined], // PCP anycast
  ["2001:1::2", undefined], // TURN anycast
  ["2001:1::3", undefined], // DNS-SD SRP anycast
  ["2001:1::4", "IETF protocol assignments"],
  ["2001:2::1", "benchmarking"],
  ["2001:3::1", undefined], // AMT
  ["2001:4:112::1", undefined], // AS112-v6
  ["2001:10::1", "deprecated (ORCHID)"],
  ["2001:20::1", undefined], // ORCHIDv2
  ["2001:30::1", undefined], // drone remote ID
  ["2001:1ff::1", "IETF protocol assignments"],
  ["2001:200::1", undefined], // just past 2001::/23
  ["2001:db8::1", "documentation"],
  ["2002:c0a8:101::1", "private: 192.168.1.1 in 6to4 form"],
  ["2002:7f00:1::", "loopback: 127.0.0.1 in 6to4 form"],
  ["2002:cb00:7101::1", "documentation (TEST-NET-3): 203.0.113.1 in 6to4 form"],
  ["2002:808:808::1", undefined], // 6to4 of a public address
  ["2620:4f:8000::1", undefined], // AS112
  ["3fff::1", "documentation"],
  ["5f00::1", "segment routing SIDs"],
  ["fc00::1", "private (unique local)"],
  ["fd12:3456::1", "private (unique local)"],
  ["fe80::1", "link-local"],
  ["ff02::1", "multicast"],
  ["4000::1", "reserved (outside IPv6 global unicast, 2000::/3)"],
  ["fec0::1", "reserved (outside IPv6 global unicast, 2000::/3)"],
  ["2606:4700::1111", undefined],
];

describe("nonPublicRange follows the IANA special-purpose address registries", () => {
  it.each(IPV4)("IPv4 %s -> %s", (address, range) => expect(nonPublicRange(address)).toBe(range));
  it.each(IPV6)("IPv6 %s -> %s", (address, range) => expect(nonPublicRange(address)).toBe(range));

  it("says nothing about a string that is not an IP address", () => {
    expect(nonPublicRange("x.example")).toBeUndefined();
    expect(nonPublicRange("1.2.3")).toBeUndefined();
  });
});
