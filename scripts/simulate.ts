/**
 * npm run simulate -- --trace FILE [--scale N] [--config FILE] [--out DIR] [--world FILE]
 * npm run advise   -- --trace FILE [--scale N] [--config FILE] [--out DIR] [--world FILE] [--quick]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DEFAULT_CONFIG_FILE, loadDeploymentConfig } from "../config/load";
import { HELP, numberAbove, parseFlags, UsageError } from "./cli-flags";
import { progressBar } from "./progress";
import { advise } from "../sim/advisor";
import { renderHtml, summary } from "../sim/report";
import { runAll } from "../sim/run";
import { loadTrace } from "../sim/trace";
import { DEFAULT_WORLD, loadWorld, type World } from "../sim/world/params";

export { UsageError };

const COMMON = `  --trace FILE    per-minute demand, a CSV of minute,requests (required)
  --scale N       multiply every minute's requests by N (default 1)
  --config FILE   the deployment configuration (default lambdaflex.config.json)
  --world FILE    the emulated world's parameters, JSON (docs/simulator.md "The world file"; defaults otherwise)`;

export const USAGE = {
  simulate: `usage: npm run simulate -- --trace FILE [--scale N] [--config FILE] [--out DIR] [--world FILE]

Runs LambdaFlex (the production scaler in the digital twin), Lambda only,
Fargate always on and the optimums on the trace, compares them at equal
service (each failed or overloaded request charged what Lambda would have
charged), and writes simulation.json, report.html and toggle-history/ into
--out.
${COMMON}
  --out DIR       where to write (default sim-output)
  -h, --help      this help`,
  advise: `usage: npm run advise -- --trace FILE [--scale N] [--config FILE] [--out DIR] [--world FILE] [--quick]

Sweeps the scaler's tunable parameters (scaling.switchCostFactor,
minDwellMinutes and backoffDecayMinutes) and, when demand passed what it
carries, fargate.maxTasks in the twin, and recommends the setting that is
cheapest at equal service; writes advice.json.
${COMMON}
  --out DIR       where to write (default advise-output)
  --quick         a coarser sweep
  -h, --help      this help`,
} as const;

export type Command = keyof typeof USAGE;

export interface CliArgs {
  readonly command: Command;
  readonly trace: string;
  readonly scale: number;
  readonly config: string;
  readonly out: string;
  /** The world file, when given (defaults otherwise). */
  readonly world?: string;
  readonly quick: boolean;
}

/** `--help` for a command: print its usage and stop. */
export class HelpRequest {
  constructor(readonly text: string) {}
}

/** Parses `simulate|advise [flags]`; throws UsageError naming the flag, or returns a HelpRequest. */
export function parseCommandLine(argv: string[]): CliArgs | HelpRequest {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h") return new HelpRequest(`${USAGE.simulate}\n\n${USAGE.advise}`);
  if (command !== "simulate" && command !== "advise")
    throw new UsageError(`unknown command "${command ?? ""}"; use simulate or advise (--help for usage)`);
  // --delay was the first world knob; say what replaced it rather than "unknown option".
  if (rest.some((a) => a === "--delay" || a.startsWith("--delay=")))
    throw new UsageError(
      "--delay was replaced by --world FILE (a JSON file of the emulated world's parameters; see README)",
    );
  const { values } = parseFlags({
    args: rest,
    options: {
      ...HELP,
      trace: { type: "string" },
      scale: { type: "string", default: "1" },
      config: { type: "string", default: DEFAULT_CONFIG_FILE },
      out: { type: "string", default: command === "simulate" ? "sim-output" : "advise-output" },
      world: { type: "string" },
      ...(command === "advise" ? { quick: { type: "boolean", default: false } } : {}),
    },
  });
  if (values.help) return new HelpRequest(USAGE[command]);
  if (!values.trace) throw new UsageError("--trace FILE is required (a per-minute CSV: minute,requests)");
  const scale = numberAbove("scale", values.scale!);
  return {
    command,
    trace: values.trace,
    scale,
    config: values.config!,
    out: values.out!,
    world: values.world,
    quick: values.quick === true,
  };
}

export async function main(argv: string[]): Promise<number> {
  let args: CliArgs;
  try {
    const parsed = parseCommandLine(argv);
    if (parsed instanceof HelpRequest) {
      process.stdout.write(`${parsed.text}\n`);
      return 0;
    }
    args = parsed;
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
        onProgress: trace.length > 10_000 ? progressBar("simulating") : undefined,
      });
      writeFileSync(join(out, "simulation.json"), JSON.stringify(summary(report), null, 2) + "\n");
      writeFileSync(join(out, "report.html"), renderHtml(report, trace));
      const n = (x: number) => Math.round(x).toLocaleString("en-US");
      for (const s of report.strategies) {
        process.stdout.write(
          `${s.strategy.padEnd(20)} $${s.totalCost.toFixed(2).padStart(10)} billed  $${s.costAtEqualService.toFixed(2).padStart(10)} at equal service  ` +
            `${n(s.requestsFailed.total)} failed  ${n(s.requestsOverloaded)} overloaded  ${s.transitions} transitions  ${s.shortfallMinutes} shortfall min\n`,
        );
      }
      const sizing = report.sizing;
      if (sizing && sizing.minutesPastCapacity > 0) {
        process.stdout.write(
          `demand passed what fargate.maxTasks=${sizing.maxTasks} carries (${n(sizing.capacityRps)} req/s) in ${n(sizing.minutesPastCapacity)} minutes, peaking at ${n(sizing.peakRps)} req/s; ` +
            `fargate.maxTasks=${sizing.maxTasksForPeak} would carry the peak at the target utilization (npm run advise sweeps it)\n`,
        );
      }
      const sc = report.scaler;
      process.stdout.write(
        `scaler: ${sc.invocations} invocations, ${sc.getMetricDataMetrics} GetMetricData metrics, ${sc.commits.length} commits, ` +
          `${sc.terraformRuns} Terraform runs (${sc.terraformRunsFailed} failed), ${sc.alerts} alerts, $${sc.totalCost.toFixed(2)}\n`,
      );
      process.stdout.write(
        `wrote ${join(out, "simulation.json")}, ${join(out, "report.html")} and ${join(out, "toggle-history")}\n`,
      );
    } else {
      const advice = await advise(trace, {
        config,
        world,
        source: args.trace,
        scale: args.scale,
        quick: args.quick,
        onProgress: progressBar("sweeping"),
      });
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
