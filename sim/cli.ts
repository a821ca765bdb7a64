/**
 * npm run simulate -- --trace FILE [--scale N] [--config FILE] [--out DIR] [--world FILE]
 * npm run advise   -- --trace FILE [--scale N] [--config FILE] [--out DIR] [--world FILE] [--quick]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DEFAULT_CONFIG_FILE, loadDeploymentConfig } from "../config/load";
import { advise } from "./advisor";
import { renderHtml, summary } from "./report";
import { runAll } from "./run";
import { loadTrace } from "./trace";
import { DEFAULT_WORLD, loadWorld, type World } from "./world/params";

/** A command-line mistake; the message says which flag and value. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export interface CliArgs {
  readonly command: "simulate" | "advise";
  readonly trace: string;
  readonly scale: number;
  readonly config: string;
  readonly out: string;
  /** The world file, when given (defaults otherwise). */
  readonly world?: string;
  readonly quick: boolean;
}

export function parseArgs(argv: string[]): CliArgs {
  const [command, ...rest] = argv;
  if (command !== "simulate" && command !== "advise") throw new UsageError(`unknown command "${command ?? ""}"; use simulate or advise`);
  const flags: Record<string, string[]> = {};
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i]!;
    if (flag === "--quick") {
      flags.quick = ["true"];
      continue;
    }
    if (!flag.startsWith("--")) throw new UsageError(`unexpected argument "${flag}"`);
    const value = rest[i + 1];
    if (value === undefined || value.startsWith("--")) throw new UsageError(`${flag} needs a value`);
    (flags[flag.slice(2)] ??= []).push(value);
    i++;
  }
  for (const name of Object.keys(flags)) {
    if (name === "delay") throw new UsageError("--delay was replaced by --world FILE (a JSON file of the emulated world's parameters; see README)");
    if (!["trace", "scale", "config", "out", "world", "quick"].includes(name)) throw new UsageError(`unknown flag --${name}`);
  }
  if (!flags.trace) throw new UsageError("--trace FILE is required (a per-minute CSV: minute,requests)");
  const scale = Number(flags.scale?.[0] ?? "1");
  if (!(Number.isFinite(scale) && scale > 0)) throw new UsageError(`--scale must be a positive number, got "${flags.scale?.[0]}"`);
  return {
    command,
    trace: flags.trace[0]!,
    scale,
    config: flags.config?.[0] ?? DEFAULT_CONFIG_FILE,
    out: flags.out?.[0] ?? (command === "simulate" ? "sim-output" : "advise-output"),
    world: flags.world?.[0],
    quick: Boolean(flags.quick),
  };
}

/** A progress bar on a terminal, a line per quarter otherwise. */
function progress(label: string): (done: number, total: number) => void {
  let lastQuarter = -1;
  return (done, total) => {
    const f = total ? done / total : 1;
    if (process.stderr.isTTY) {
      const width = 30;
      process.stderr.write(`\r${label} [${"#".repeat(Math.round(f * width)).padEnd(width, ".")}] ${Math.round(f * 100)}%${f >= 1 ? "\n" : ""}`);
    } else if (Math.floor(f * 4) > lastQuarter) {
      lastQuarter = Math.floor(f * 4);
      process.stderr.write(`${label}: ${lastQuarter * 25}%\n`);
    }
  };
}

export async function main(argv: string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
    const config = loadDeploymentConfig(args.config, process.env);
    const world: World = args.world ? loadWorld(args.world) : DEFAULT_WORLD;
    const trace = loadTrace(args.trace, args.scale);
    const out = resolve(args.out);
    mkdirSync(out, { recursive: true });
    if (args.command === "simulate") {
      const report = await runAll(trace, {
        config,
        world,
        source: args.trace,
        scale: args.scale,
        historyDir: join(out, "toggle-history"),
        onProgress: trace.length > 10_000 ? progress("simulating") : undefined,
      });
      writeFileSync(join(out, "simulation.json"), JSON.stringify(summary(report), null, 2) + "\n");
      writeFileSync(join(out, "report.html"), renderHtml(report, trace));
      for (const s of report.strategies) {
        process.stdout.write(`${s.strategy.padEnd(20)} $${s.totalCost.toFixed(2).padStart(10)}  ${s.transitions} transitions  ${s.shortfallMinutes} shortfall min\n`);
      }
      const sc = report.scaler;
      process.stdout.write(
        `scaler: ${sc.invocations} invocations, ${sc.getMetricDataMetrics} GetMetricData metrics, ${sc.commits.length} commits, ` +
          `${sc.terraformRuns} Terraform runs (${sc.terraformRunsFailed} failed), ${sc.alerts} alerts, $${sc.totalCost.toFixed(2)}\n`,
      );
      process.stdout.write(`wrote ${join(out, "simulation.json")}, ${join(out, "report.html")} and ${join(out, "toggle-history")}\n`);
    } else {
      const advice = await advise(trace, { config, world, source: args.trace, scale: args.scale, quick: args.quick, onProgress: progress("sweeping") });
      writeFileSync(join(out, "advice.json"), JSON.stringify(advice, null, 2) + "\n");
      process.stdout.write(`${advice.recommendation}\nwrote ${join(out, "advice.json")}\n`);
    }
    return 0;
  } catch (err) {
    process.stderr.write(`${argv[0] ?? "simulate"}: ${(err as Error).message}\n`);
    return 2;
  }
}

if (require.main === module) void main(process.argv.slice(2)).then((code) => process.exit(code));
