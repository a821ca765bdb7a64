import { spawn } from "node:child_process";
import { join } from "node:path";
import { HELP, numberAbove, parseFlags, UsageError } from "../../scripts/cli-flags";
import { ROOT } from "../helpers/processes";

describe("parseFlags", () => {
  const options = { ...HELP, trace: { type: "string" }, quick: { type: "boolean" } } as const;

  it("reads flags, --flag=value and -h", () => {
    expect(parseFlags({ args: ["--trace=a.csv", "--quick"], options }).values).toEqual({ trace: "a.csv", quick: true });
    expect(parseFlags({ args: ["-h"], options }).values.help).toBe(true);
  });

  it.each([
    [["--trase", "a.csv"], "Unknown option '--trase'"],
    [["--trace"], "Option '--trace <value>' argument missing"],
    [["--quick=yes"], "Option '--quick' does not take an argument"],
    [["a.csv"], "Unexpected argument 'a.csv'"],
  ])("turns %j into one UsageError naming it: %s", (args, message) => {
    expect(() => parseFlags({ args, options })).toThrow(UsageError);
    expect(() => parseFlags({ args, options })).toThrow(new UsageError(message));
  });
});

describe("numeric flags", () => {
  const options = { ...HELP, scale: { type: "string", short: "s" }, quick: { type: "boolean" } } as const;

  it("take a negative-looking value as the flag's value, not as an option (parseArgs alone calls it ambiguous)", () => {
    expect(parseFlags({ args: ["--scale", "-1"], options }).values).toEqual({ scale: "-1" });
    expect(parseFlags({ args: ["-s", "-.5", "--quick"], options }).values).toEqual({ scale: "-.5", quick: true });
    expect(parseFlags({ args: ["--scale=-2"], options }).values).toEqual({ scale: "-2" });
    // Only after a flag that takes a value, and not after "--".
    expect(() => parseFlags({ args: ["--quick", "-1"], options })).toThrow(new UsageError("Unknown option '-1'"));
    expect(parseFlags({ args: ["--", "--scale", "-1"], options, allowPositionals: true }).positionals).toEqual([
      "--scale",
      "-1",
    ]);
  });

  it("say the range and what was given", () => {
    expect(numberAbove("scale", "30")).toBe(30);
    expect(numberAbove("scale", "0.5")).toBe(0.5);
    expect(() => numberAbove("scale", "-1")).toThrow(new UsageError("--scale must be greater than 0, got -1"));
    expect(() => numberAbove("scale", "0")).toThrow(new UsageError("--scale must be greater than 0, got 0"));
    expect(() => numberAbove("scale", "abc")).toThrow(
      new UsageError('--scale must be a number greater than 0, got "abc"'),
    );
    expect(() => numberAbove("scale", "")).toThrow(new UsageError('--scale must be a number greater than 0, got ""'));
    expect(() => numberAbove("scale", "Infinity")).toThrow(UsageError);
  });
});

/** Runs a command the way its npm script does; resolves with its exit code and output. */
const command = (script: string, args: string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"), script, ...args], {
      cwd: ROOT,
      env: { ...process.env, CHECKPOINT_DISABLE: "1" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c));
    child.stderr.on("data", (c: Buffer) => (stderr += c));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });

describe("every command's flags", () => {
  const COMMANDS: Array<[string, string[], RegExp]> = [
    ["scripts/synth.ts", [], /^usage: npm run synth /],
    ["scripts/release.ts", [], /^usage: npm run release -- --repository/],
    ["scripts/doctor.ts", [], /^usage: npm run doctor/],
    ["scripts/simulate.ts", ["simulate"], /^usage: npm run simulate -- --trace FILE/],
    ["scripts/simulate.ts", ["advise"], /^usage: npm run advise -- --trace FILE/],
    ["bench/run.ts", [], /^usage: npm run bench/],
  ];

  it("print their usage with --help and exit 0, and exit 2 naming an unknown flag", async () => {
    const runs = await Promise.all(
      COMMANDS.flatMap(([script, before]) => [
        command(script, [...before, "--help"]),
        command(script, [...before, "--frobnicate"]),
      ]),
    );
    COMMANDS.forEach(([script, before, usage], i) => {
      const [help, unknown] = [runs[2 * i]!, runs[2 * i + 1]!];
      expect({ command: [script, ...before, "--help"], code: help.code, stdout: help.stdout }).toEqual({
        command: [script, ...before, "--help"],
        code: 0,
        stdout: expect.stringMatching(usage),
      });
      expect({
        command: [script, ...before, "--frobnicate"],
        code: unknown.code,
        firstLine: unknown.stderr.split("\n")[0],
      }).toEqual({
        command: [script, ...before, "--frobnicate"],
        code: 2,
        firstLine: expect.stringMatching(/(Unknown option '--frobnicate'|unknown argument --frobnicate)$/),
      });
    });
  }, 60_000);
});
