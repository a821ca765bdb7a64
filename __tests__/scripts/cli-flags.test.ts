import { spawn } from "node:child_process";
import { join } from "node:path";
import { HELP, parseFlags, UsageError } from "../../scripts/cli-flags";
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

/** Runs a command the way its npm script does; resolves with its exit code and output. */
const command = (script: string, args: string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"), script, ...args], { cwd: ROOT, env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
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
    ["sim/cli.ts", ["simulate"], /^usage: npm run simulate -- --trace FILE/],
    ["sim/cli.ts", ["advise"], /^usage: npm run advise -- --trace FILE/],
    ["bench/run.ts", [], /^usage: npm run bench/],
  ];

  it("print their usage with --help and exit 0, and exit 2 naming an unknown flag", async () => {
    const runs = await Promise.all(COMMANDS.flatMap(([script, before]) => [command(script, [...before, "--help"]), command(script, [...before, "--frobnicate"])]));
    COMMANDS.forEach(([script, before, usage], i) => {
      const [help, unknown] = [runs[2 * i]!, runs[2 * i + 1]!];
      expect({ command: [script, ...before, "--help"], code: help.code, stdout: help.stdout }).toEqual({ command: [script, ...before, "--help"], code: 0, stdout: expect.stringMatching(usage) });
      expect({ command: [script, ...before, "--frobnicate"], code: unknown.code, firstLine: unknown.stderr.split("\n")[0] }).toEqual({
        command: [script, ...before, "--frobnicate"],
        code: 2,
        firstLine: expect.stringMatching(/(Unknown option '--frobnicate'|unknown argument --frobnicate)$/),
      });
    });
  }, 60_000);
});
