import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  chooseProviderSource,
  downloadProvider,
  holdsProvider,
  likelyMirrorDirs,
  ProviderUnavailableError,
  probeRegistry,
  terraformPlatform,
  type ProviderChoiceInput,
  type RegistryProbe,
} from "../../scripts/terraform-provider";
import { ROOT } from "../helpers/processes";
import { removeDir } from "../helpers/terraform";

const AWS = { source: "hashicorp/aws", version: "5.100.0" };
const tmp = mkdtempSync(join(tmpdir(), "tf-provider-"));
afterAll(() => removeDir(tmp));

/** A choice where only `mirrors` hold the provider, and the registry answers as `probe` says (counting the calls). */
function choose(env: Record<string, string>, mirrors: string[], probe: RegistryProbe) {
  let probes = 0;
  const input: ProviderChoiceInput = {
    provider: AWS,
    platform: "linux_amd64",
    env,
    searched: [
      "/opt/tf-plugins",
      "/home/u/.terraform.d/plugins",
      "/home/u/.cache/lambdaflex/terraform-providers/hashicorp-aws-5.100.0",
    ],
    holds: (dir) => mirrors.includes(dir),
    probeRegistry: () => {
      probes += 1;
      return probe;
    },
    cacheDir: "/home/u/.cache/lambdaflex/terraform-providers/hashicorp-aws-5.100.0",
  };
  return { source: chooseProviderSource(input), probes: () => probes };
}

const ONLINE = { reachable: true, detail: "HTTP 200" };
const OFFLINE = { reachable: false, detail: "ENOTFOUND" };

describe("chooseProviderSource", () => {
  it("uses LAMBDAFLEX_TF_PLUGIN_DIR when it holds the provider, without asking the registry", () => {
    const { source, probes } = choose({ LAMBDAFLEX_TF_PLUGIN_DIR: "/mirror" }, ["/mirror", "/opt/tf-plugins"], ONLINE);
    expect(source).toEqual({ kind: "mirror", dir: "/mirror", why: "LAMBDAFLEX_TF_PLUGIN_DIR" });
    expect(probes()).toBe(0);
  });

  it("fails, naming the directory, when LAMBDAFLEX_TF_PLUGIN_DIR does not hold it, even with a mirror elsewhere and the registry up", () => {
    const { source, probes } = choose({ LAMBDAFLEX_TF_PLUGIN_DIR: "/typo" }, ["/opt/tf-plugins"], ONLINE);
    expect(source.kind).toBe("unavailable");
    expect(source.kind === "unavailable" && source.message).toMatch(
      /^LAMBDAFLEX_TF_PLUGIN_DIR=\/typo does not hold hashicorp\/aws 5\.100\.0 \(linux_amd64\).*terraform -chdir=deploy\/core providers mirror -platform=linux_amd64 DIR.*or unset it/s,
    );
    expect(probes()).toBe(0);
  });

  it("uses the first likely place that holds the provider when the variable is unset", () => {
    const { source, probes } = choose(
      {},
      ["/home/u/.terraform.d/plugins", "/home/u/.cache/lambdaflex/terraform-providers/hashicorp-aws-5.100.0"],
      OFFLINE,
    );
    expect(source).toEqual({
      kind: "mirror",
      dir: "/home/u/.terraform.d/plugins",
      why: "found; LAMBDAFLEX_TF_PLUGIN_DIR is unset",
    });
    expect(probes()).toBe(0);
  });

  it("falls back to the registry, downloading into the cache, when no mirror holds it and the registry answers", () => {
    const { source, probes } = choose({}, [], ONLINE);
    expect(source).toEqual({
      kind: "registry",
      cacheDir: "/home/u/.cache/lambdaflex/terraform-providers/hashicorp-aws-5.100.0",
      why: "no local mirror, and registry.terraform.io answers (HTTP 200)",
    });
    expect(probes()).toBe(1);
  });

  it("fails with one message naming both ways out when there is no mirror and no registry", () => {
    const { source } = choose({}, [], OFFLINE);
    if (source.kind !== "unavailable") throw new Error(`expected unavailable, got ${source.kind}`);
    expect(source.message).toContain("terraform tests need hashicorp/aws 5.100.0 (linux_amd64)");
    expect(source.message).toContain(
      "searched /opt/tf-plugins, /home/u/.terraform.d/plugins, /home/u/.cache/lambdaflex/terraform-providers/hashicorp-aws-5.100.0",
    );
    expect(source.message).toContain("registry.terraform.io cannot be reached (ENOTFOUND)");
    expect(source.message).toMatch(
      /- set LAMBDAFLEX_TF_PLUGIN_DIR to a provider mirror: .*`terraform -chdir=deploy\/core providers mirror -platform=linux_amd64 DIR`/,
    );
    expect(source.message).toContain("- allow HTTPS to registry.terraform.io and releases.hashicorp.com");
  });
});

describe("holdsProvider", () => {
  const mirror = (name: string, path: string) => {
    const dir = join(tmp, name);
    mkdirSync(join(dir, path), { recursive: true });
    return dir;
  };

  it("recognises the unpacked layout and the packed one `terraform providers mirror` writes, for this version and platform only", () => {
    const unpacked = mirror("unpacked", "registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64");
    const packed = mirror("packed", "registry.terraform.io/hashicorp/aws");
    writeFileSync(
      join(packed, "registry.terraform.io/hashicorp/aws/terraform-provider-aws_5.100.0_linux_amd64.zip"),
      "",
    );
    expect(holdsProvider(unpacked, AWS, "linux_amd64")).toBe(true);
    expect(holdsProvider(packed, AWS, "linux_amd64")).toBe(true);
    expect(holdsProvider(unpacked, { ...AWS, version: "5.99.0" }, "linux_amd64")).toBe(false);
    expect(holdsProvider(packed, AWS, "darwin_arm64")).toBe(false);
    expect(
      holdsProvider(mirror("other", "registry.terraform.io/hashicorp/aws/5.99.0/linux_amd64"), AWS, "linux_amd64"),
    ).toBe(false);
  });

  it("names platforms as terraform does", () => {
    expect([
      terraformPlatform("linux", "x64"),
      terraformPlatform("darwin", "arm64"),
      terraformPlatform("win32", "x64"),
    ]).toEqual(["linux_amd64", "darwin_arm64", "windows_amd64"]);
  });

  it("searches the CI image's mirror, terraform's implied local mirrors and the download cache", () => {
    const dirs = likelyMirrorDirs(AWS, { XDG_DATA_HOME: "/data", XDG_DATA_DIRS: "/usr/share" }, "/home/u");
    expect(dirs).toEqual([
      "/opt/tf-plugins",
      "/home/u/.terraform.d/plugins",
      "/data/terraform/plugins",
      "/usr/share/terraform/plugins",
      "/home/u/.cache/lambdaflex/terraform-providers/hashicorp-aws-5.100.0",
    ]);
  });
});

describe("probeRegistry", () => {
  // In another process: the probe blocks this one (it is synchronous, as terraform init is).
  const SERVER = `require("http").createServer((req, res) => {
    if (req.url === "/ok") res.end("{}");
    else if (req.url === "/missing") res.writeHead(404).end();
    // "/silent": accepted, never answered, like a black-holed network
  }).listen(0, "127.0.0.1", function () {
    const closed = require("http").createServer().listen(0, "127.0.0.1", () => {
      const port = closed.address().port;
      closed.close(() => console.log(this.address().port, port)); // a port nobody listens on
    });
  });`;
  let server: ChildProcess;
  let base = "";
  let refused = "";
  beforeAll(async () => {
    server = spawn(process.execPath, ["-e", SERVER], { stdio: ["ignore", "pipe", "inherit"] });
    const [port, closed] = await new Promise<string[]>((resolve) =>
      server.stdout!.once("data", (line: Buffer) => resolve(line.toString().trim().split(" "))),
    );
    base = `http://127.0.0.1:${port}`;
    refused = `http://127.0.0.1:${closed}/download`;
  });
  afterAll(() => server.kill());

  it("reports a registry that answers, one that refuses, and gives up on one that never answers within the bound", () => {
    expect(probeRegistry(`${base}/ok`, 2000, {})).toEqual({ reachable: true, detail: "HTTP 200" });
    expect(probeRegistry(`${base}/missing`, 2000, {})).toEqual({ reachable: false, detail: "HTTP 404" });
    expect(probeRegistry(refused, 2000, {})).toEqual({ reachable: false, detail: "ECONNREFUSED" });
    const started = Date.now();
    expect(probeRegistry(`${base}/silent`, 500, {})).toEqual({ reachable: false, detail: "no answer within 0.5 s" });
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it("does not probe behind an HTTPS proxy, which terraform uses and fetch does not", () => {
    expect(probeRegistry("http://127.0.0.1:1/", 500, { HTTPS_PROXY: "http://proxy:3128" })).toEqual({
      reachable: true,
      detail: "assumed through the proxy http://proxy:3128",
    });
  });
});

describe("downloadProvider", () => {
  it("mirrors the provider once into the cache with `terraform providers mirror`, whole", () => {
    const cache = join(tmp, "cache", "hashicorp-aws-5.100.0");
    const calls: string[][] = [];
    const fakeTerraform = (args: string[], cwd: string) => {
      calls.push(args);
      expect(readdirSync(cwd)).toEqual(["main.tf"]);
      const target = join(args[args.length - 1]!, "registry.terraform.io/hashicorp/aws");
      mkdirSync(target, { recursive: true });
      writeFileSync(join(target, "terraform-provider-aws_5.100.0_linux_amd64.zip"), "zip");
      return { status: 0, output: "" };
    };
    downloadProvider(AWS, "linux_amd64", cache, fakeTerraform);
    downloadProvider(AWS, "linux_amd64", cache, fakeTerraform); // found: no second download
    expect(calls).toHaveLength(1);
    expect(calls[0]!.slice(0, 3)).toEqual(["providers", "mirror", "-platform=linux_amd64"]);
    expect(holdsProvider(cache, AWS, "linux_amd64")).toBe(true);
    expect(readdirSync(join(tmp, "cache"))).toEqual(["hashicorp-aws-5.100.0"]); // no lock or partial download left
  });

  it("fails naming both ways out when the download fails, and leaves nothing behind", () => {
    const cache = join(tmp, "cache-offline", "hashicorp-aws-5.100.0");
    const offline = () => ({
      status: 1,
      output: "Error: Provider not available ... dial tcp: lookup registry.terraform.io: no such host",
    });
    expect(() => downloadProvider(AWS, "linux_amd64", cache, offline)).toThrow(ProviderUnavailableError);
    expect(() => downloadProvider(AWS, "linux_amd64", cache, offline)).toThrow(
      /no such host\nEither allow HTTPS to registry\.terraform\.io .* or set LAMBDAFLEX_TF_PLUGIN_DIR to a provider mirror/s,
    );
    expect(readdirSync(join(tmp, "cache-offline"))).toEqual([]);
  });
});

describe("the terraform tests' helper", () => {
  it("fails with the message when LAMBDAFLEX_TF_PLUGIN_DIR points at no mirror", () => {
    const tsx = join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
    const script = 'require("./__tests__/helpers/terraform").terraformProviderDir()';
    const run = spawnSync(process.execPath, [tsx, "-e", script], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, LAMBDAFLEX_TF_PLUGIN_DIR: join(tmp, "nothing-here") },
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(
      `ProviderUnavailableError: LAMBDAFLEX_TF_PLUGIN_DIR=${join(tmp, "nothing-here")} does not hold hashicorp/aws`,
    );
  });
});
