import request from "supertest";
import { createApp } from "../../service/app";
import { useLinkStore } from "./test-store";

const links = useLinkStore("links-target-url-test");
const app = () => createApp({ store: links.store(), tier: "fargate", version: "1.2.3" }).callback();

const CREDENTIALS = "must not contain credentials (user:pass@)";
const AUTHORITY = (scheme: string) => `has a malformed authority: expected "${scheme}://" and a host`;

describe("POST /links refuses target URLs that change meaning or reach a visitor's own network", () => {
  const refused: Array<{ name: string; url: string; problem: string }> = [
    { name: "credentials", url: "https://user:pass@bank.example/", problem: CREDENTIALS },
    { name: "a user name only", url: "https://bank.example@evil.example/", problem: CREDENTIALS },
    { name: "an empty user info", url: "https://@x.example/", problem: CREDENTIALS },
    { name: "one slash after the scheme", url: "http:/x.example/", problem: AUTHORITY("http") },
    { name: "no slash after the scheme", url: "https:x.example", problem: AUTHORITY("https") },
    { name: "three slashes after the scheme", url: "https:///x.example/", problem: AUTHORITY("https") },
    { name: "no host", url: "https://", problem: AUTHORITY("https") },
    {
      name: "CR LF inside the host",
      url: "https://e.com\r\n.evil/",
      problem: "must not contain control characters (U+000D at index 13)",
    },
    {
      name: "a tab in the path",
      url: "https://x.example/a\tb",
      problem: "must not contain control characters (U+0009 at index 19)",
    },
    {
      name: "a NUL",
      url: "https://x.example/\u0000",
      problem: "must not contain control characters (U+0000 at index 18)",
    },
    { name: "a backslash before @", url: "https://x.example\\@evil.example/", problem: "must not contain a backslash" },
    { name: "leading whitespace", url: " https://x.example/", problem: "must not start or end with whitespace" },
    {
      name: "a loopback address",
      url: "http://127.0.0.1:8080/admin",
      problem: "host must be a public address, got 127.0.0.1 (loopback)",
    },
    {
      name: "loopback in hex shorthand",
      url: "http://0x7f.1/",
      problem: "host must be a public address, got 127.0.0.1 (loopback)",
    },
    {
      name: "loopback as one number",
      url: "http://2130706433/",
      problem: "host must be a public address, got 127.0.0.1 (loopback)",
    },
    { name: "IPv6 loopback", url: "http://[::1]/", problem: "host must be a public address, got [::1] (loopback)" },
    {
      name: "IPv4-mapped loopback",
      url: "http://[::ffff:127.0.0.1]/",
      problem: "host must be a public address, got [::ffff:7f00:1] (loopback: 127.0.0.1 in IPv4-mapped form)",
    },
    {
      name: "localhost",
      url: "http://localhost:3000/",
      problem: "host must not be localhost: it names each visitor's own machine",
    },
    {
      name: "the cloud metadata address",
      url: "http://169.254.169.254/latest/meta-data/",
      problem: "host must be a public address, got 169.254.169.254 (link-local)",
    },
    {
      name: "a home router",
      url: "http://192.168.1.1/apply.cgi",
      problem: "host must be a public address, got 192.168.1.1 (private)",
    },
    {
      name: "a single-label host",
      url: "http://intranet/",
      problem: "host must be a fully qualified domain name, got intranet",
    },
    // The IANA special-purpose registries (service/public-address.ts), each as the URL parser serializes it.
    {
      name: "IETF protocol assignments",
      url: "http://192.0.0.1/",
      problem: "host must be a public address, got 192.0.0.1 (IPv4 service continuity prefix)",
    },
    {
      name: "TEST-NET-1",
      url: "http://192.0.2.1/",
      problem: "host must be a public address, got 192.0.2.1 (documentation (TEST-NET-1))",
    },
    {
      name: "benchmarking",
      url: "http://198.18.0.1/",
      problem: "host must be a public address, got 198.18.0.1 (benchmarking)",
    },
    {
      name: "TEST-NET-2",
      url: "http://198.51.100.1/",
      problem: "host must be a public address, got 198.51.100.1 (documentation (TEST-NET-2))",
    },
    {
      name: "TEST-NET-3",
      url: "http://203.0.113.1/",
      problem: "host must be a public address, got 203.0.113.1 (documentation (TEST-NET-3))",
    },
    {
      name: "IPv6 documentation",
      url: "http://[2001:db8::1]/",
      problem: "host must be a public address, got [2001:db8::1] (documentation)",
    },
    {
      name: "IPv4-compatible loopback",
      url: "http://[::127.0.0.1]/",
      problem:
        "host must be a public address, got [::7f00:1] (loopback: 127.0.0.1 in IPv4-compatible (deprecated, RFC 4291) form)",
    },
    {
      name: "NAT64 of the cloud metadata address",
      url: "http://[64:ff9b::a9fe:a9fe]/",
      problem: "host must be a public address, got [64:ff9b::a9fe:a9fe] (link-local: 169.254.169.254 in NAT64 form)",
    },
    {
      name: "6to4 of a home router",
      url: "http://[2002:c0a8:101::1]/",
      problem: "host must be a public address, got [2002:c0a8:101::1] (private: 192.168.1.1 in 6to4 form)",
    },
    { name: "port 0", url: "http://x.example:0/", problem: "port must be 1-65535, got 0" },
    { name: "port 0 written as 00", url: "https://93.184.215.14:00/", problem: "port must be 1-65535, got 0" },
    // 18 + 700 × 6 ("ü" is %C3%BC): under the limit as sent, twice over it as stored.
    {
      name: "700 ü (4,218 characters once normalized)",
      url: "https://x.example/" + "ü".repeat(700),
      problem: "must be at most 2048 characters once normalized, got 4218",
    },
  ];

  it.each(refused)("answers $name with 400 naming the reason", async ({ url, problem }) => {
    const res = await request(app()).post("/links").send({ url });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_link");
    expect(res.body.error.details).toEqual([{ field: "url", problem }]);
    expect(res.body.error.message).toBe(`invalid link: url ${problem}`);
  });

  it("never repeats the credentials it refused", async () => {
    const res = await request(app()).post("/links").send({ url: "https://admin:hunter2@x.example/" });
    expect(res.text).not.toContain("hunter2");
  });
});

describe("POST /links stores the normalized URL and redirects to exactly that", () => {
  const atLimit = "https://x.example/ab" + "ü".repeat(338); // 20 + 338 × 6 = 2048 once normalized
  const accepted: Array<{ name: string; url: string; stored: string }> = [
    {
      name: "a URL exactly at the limit once normalized",
      url: atLimit,
      stored: "https://x.example/ab" + "%C3%BC".repeat(338),
    },
    {
      name: "an upper-case URL with a default port and dot segments",
      url: "HTTPS://X.EXAMPLE:443/a/../b?q=1#f",
      stored: "https://x.example/b?q=1#f",
    },
    {
      name: "an @ in the path, query and fragment",
      url: "https://x.example/a@b?c@d#e@f",
      stored: "https://x.example/a@b?c@d#e@f",
    },
    { name: "an international domain name", url: "https://bücher.example/", stored: "https://xn--bcher-kva.example/" },
    { name: "a public IPv4 address", url: "http://93.184.215.14/", stored: "http://93.184.215.14/" },
    { name: "a public IPv6 address", url: "https://[2606:4700:0::1111]/", stored: "https://[2606:4700::1111]/" },
    {
      name: "a public address through NAT64",
      url: "http://[64:ff9b::5db8:d70e]/",
      stored: "http://[64:ff9b::5db8:d70e]/",
    },
    {
      name: "a public address through 6to4",
      url: "http://[2002:5db8:d70e::1]/",
      stored: "http://[2002:5db8:d70e::1]/",
    },
    {
      name: "a globally reachable anycast address inside a refused block",
      url: "http://192.0.0.9/",
      stored: "http://192.0.0.9/",
    },
    { name: "port 1", url: "http://x.example:1/", stored: "http://x.example:1/" },
  ];

  it.each(accepted)("accepts $name", async ({ url, stored }) => {
    const created = await request(app()).post("/links").send({ url });
    expect(created.status).toBe(201);
    expect(created.body.url).toBe(stored);
    const follow = await request(app()).get(`/${created.body.code}`);
    expect(follow.status).toBe(302);
    expect(follow.headers.location).toBe(stored);
    expect(String(follow.headers.location).length).toBeLessThanOrEqual(2048);
  });
});
