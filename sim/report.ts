/** Simulation results as JSON and as a self-contained HTML page with inline SVG charts (no network). */
import type { StrategyResult } from "./simulator";
import type { IdleBill } from "./idle-bill";
import type { ScalerReport, WorldReport } from "./twin";
import type { World } from "./world/params";

export interface SimulationReport {
  readonly trace: { readonly source: string; readonly scale: number; readonly minutes: number; readonly requests: number };
  readonly breakEvenRps: number;
  readonly thresholds: { readonly upRps: number; readonly downRps: number };
  /** Every parameter of the emulated world in effect. */
  readonly world: World;
  /** What bills every month while the tier is off, itemized from the synthesized core stack (free items apart). */
  readonly idleBill: IdleBill;
  /** The world's shortest delays in whole minutes (what the optimum and Fargate-always-on use). */
  readonly delays: Record<string, number>;
  /** What the production scaler did in the twin, metered from its calls. */
  readonly scaler: ScalerReport;
  readonly worldReport: WorldReport;
  /** Share of each minute's requests on Fargate (LambdaFlex). */
  readonly fargateShareByMinute: number[];
  readonly strategies: StrategyResult[];
}

/** The JSON form: everything but the per-minute arrays, which the HTML charts use. */
export function summary(report: SimulationReport): object {
  const { fargateShareByMinute: _f, ...rest } = report;
  return {
    ...rest,
    strategies: report.strategies.map(({ tierByMinute: _t, cumulativeCost: _c, log, ...rest }) => ({
      ...rest,
      log: log?.map((l) => ({ ...l, at: `day ${Math.floor(l.minute / 1440)} ${String(Math.floor((l.minute % 1440) / 60)).padStart(2, "0")}:${String(l.minute % 60).padStart(2, "0")}` })),
    })),
  };
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
const COLORS: Record<string, string> = { lambdaflex: "#2b6cb0", "lambda-only": "#dd6b20", "fargate-always-on": "#38a169", "clairvoyant-optimum": "#805ad5" };
const W = 900;
const H = 260;
const PAD = 72;

/** Averages a per-minute series into at most `points` buckets. */
function buckets(xs: number[], points: number, pick: (chunk: number[]) => number): number[] {
  const size = Math.max(1, Math.ceil(xs.length / points));
  const out: number[] = [];
  for (let i = 0; i < xs.length; i += size) out.push(pick(xs.slice(i, i + size)));
  return out;
}

function path(values: number[], max: number): string {
  const step = (W - 2 * PAD) / Math.max(1, values.length - 1);
  return values.map((v, i) => `${i === 0 ? "M" : "L"}${(PAD + i * step).toFixed(1)},${(H - PAD - (v / (max || 1)) * (H - 2 * PAD)).toFixed(1)}`).join(" ");
}

function axes(maxLabel: string, xLabel: string): string {
  return `<line x1="${PAD}" y1="${H - PAD}" x2="${W - PAD}" y2="${H - PAD}" stroke="#999"/><line x1="${PAD}" y1="${PAD}" x2="${PAD}" y2="${H - PAD}" stroke="#999"/>
<text x="${PAD - 4}" y="${PAD + 4}" text-anchor="end" font-size="11">${esc(maxLabel)}</text><text x="${PAD - 4}" y="${H - PAD}" text-anchor="end" font-size="11">0</text>
<text x="${W / 2}" y="${H - 12}" text-anchor="middle" font-size="11">${esc(xLabel)}</text>`;
}

/** Renders the HTML report. */
export function renderHtml(report: SimulationReport, trace: number[]): string {
  const lf = report.strategies.find((s) => s.strategy === "lambdaflex");
  const points = 600;
  const rps = buckets(trace, points, (c) => c.reduce((a, b) => a + b, 0) / c.length / 60);
  const maxRps = Math.max(...rps, report.thresholds.upRps) * 1.1;
  const yOf = (v: number) => (H - PAD - (v / maxRps) * (H - 2 * PAD)).toFixed(1);
  const fargateShare = lf ? buckets(lf.tierByMinute.map((t) => (t === "fargate" ? 1 : 0)), points, (c) => c.reduce((a, b) => a + b, 0) / c.length) : [];
  const step = (W - 2 * PAD) / Math.max(1, rps.length - 1);
  const bands = fargateShare
    .map((f, i) => (f > 0.5 ? `<rect x="${(PAD + i * step - step / 2).toFixed(1)}" y="${PAD}" width="${step.toFixed(2)}" height="${H - 2 * PAD}" fill="#c6f6d5"/>` : ""))
    .join("");
  const hline = (v: number, color: string, label: string) =>
    `<line x1="${PAD}" x2="${W - PAD}" y1="${yOf(v)}" y2="${yOf(v)}" stroke="${color}" stroke-dasharray="5,4"/><text x="${W - PAD}" y="${Number(yOf(v)) - 3}" text-anchor="end" font-size="11" fill="${color}">${esc(label)}</text>`;
  const traffic = `<svg id="traffic" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="traffic and tier over time">
${bands}${axes(`${maxRps.toFixed(1)} req/s`, `time (${(trace.length / 1440).toFixed(1)} days); green = LambdaFlex serving on Fargate`)}
<path d="${path(rps, maxRps)}" fill="none" stroke="#2d3748" stroke-width="1"/>
${hline(report.breakEvenRps, "#e53e3e", `break-even ${report.breakEvenRps.toFixed(1)} req/s`)}
${hline(report.thresholds.upRps, "#2b6cb0", `scale up ${report.thresholds.upRps}`)}
${hline(report.thresholds.downRps, "#718096", `scale down ${report.thresholds.downRps}`)}</svg>`;
  const maxCost = Math.max(...report.strategies.map((s) => s.totalCost)) * 1.05;
  const costLines = report.strategies
    .map((s) => `<path d="${path(buckets(s.cumulativeCost, points, (c) => c[c.length - 1] ?? 0), maxCost)}" fill="none" stroke="${COLORS[s.strategy] ?? "#000"}" stroke-width="2"/>`)
    .join("\n");
  const legend = report.strategies
    .map((s, i) => `<rect x="${PAD + 10}" y="${PAD + 4 + i * 16}" width="10" height="10" fill="${COLORS[s.strategy] ?? "#000"}"/><text x="${PAD + 26}" y="${PAD + 13 + i * 16}" font-size="11">${esc(s.strategy)} $${s.totalCost.toFixed(2)}</text>`)
    .join("");
  const cost = `<svg id="cost" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="cumulative cost">${axes(`$${maxCost.toFixed(0)}`, "time")}${costLines}${legend}</svg>`;
  const rows = report.strategies
    .map(
      (s) => `<tr><td>${esc(s.strategy)}</td><td>$${s.totalCost.toFixed(2)}</td><td>$${s.costPerMillionRequests.toFixed(3)}</td><td>${s.transitions}</td><td>${s.transitionsPerDay.toFixed(2)}</td><td>${s.minutesByTier.lambda}</td><td>${s.minutesByTier.fargate}</td><td>${Math.round(s.requestsByTier.lambda)}</td><td>${Math.round(s.requestsByTier.fargate)}</td><td>${s.shortfallMinutes}</td></tr>`,
    )
    .join("\n");
  const sc = report.scaler;
  const scalerRows = [
    ["invocations", String(sc.invocations), `$${((sc.cost.invocations ?? 0) + (sc.cost.compute ?? 0)).toFixed(2)}`],
    ["GetMetricData metrics", String(sc.getMetricDataMetrics), `$${(sc.cost.getMetricData ?? 0).toFixed(2)}`],
    ["status writes", String(sc.statusWrites), `$${(sc.cost.statusWrites ?? 0).toFixed(2)}`],
    ["log bytes", String(sc.logBytes), `$${(sc.cost.logs ?? 0).toFixed(2)}`],
    ["token reads (SSM SecureString, free)", String(sc.tokenReads), `$${(sc.cost.tokens ?? 0).toFixed(2)}`],
    ["alarms (synthesized core stack)", String(sc.billedResources.alarms), `$${(sc.cost.alarms ?? 0).toFixed(2)}`],
    ["dashboards (synthesized core stack)", String(sc.billedResources.dashboards), `$${(sc.cost.dashboards ?? 0).toFixed(2)}`],
  ]
    .map(([k, n, usd]) => `<tr class="scaler"><td>${esc(k!)}</td><td>${n}</td><td>${usd}</td></tr>`)
    .join("\n");
  const runs = Object.entries(sc.terraformRunsByStatus)
    .map(([status, n]) => `${esc(status)} ${n}`)
    .join(", ");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>LambdaFlex simulation: ${esc(report.trace.source)} x${report.trace.scale}</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1a202c}table{border-collapse:collapse}td,th{border:1px solid #cbd5e0;padding:.25rem .5rem;text-align:right}td:first-child,th:first-child{text-align:left}svg{display:block;margin:.5rem 0 1.5rem;background:#fff;border:1px solid #e2e8f0}</style></head>
<body><h1>LambdaFlex simulation</h1>
<p>Trace <code>${esc(report.trace.source)}</code> &times; ${report.trace.scale}: ${report.trace.minutes} minutes, ${Math.round(report.trace.requests)} requests. Break-even ${report.breakEvenRps.toFixed(2)} req/s.</p>
<h2>Traffic and tier over time</h2>${traffic}
<h2>Cumulative cost</h2>${cost}
<h2>Strategies</h2>
<table id="strategies"><tr><th>strategy</th><th>total</th><th>per 1M req</th><th>transitions</th><th>per day</th><th>Lambda min</th><th>Fargate min</th><th>Lambda req</th><th>Fargate req</th><th>shortfall min</th></tr>
${rows}</table>
<h2>The scaler, metered in the twin</h2>
<p>${sc.commits.length} commits, Terraform runs: ${runs || "none"} (${sc.terraformRunsQueuedByScaler} queued again by the scaler), ${sc.alerts} alert episodes, ${sc.timeouts} timeouts. World seed ${report.world.seed}; every parameter is in <code>simulation.json</code>.</p>
<table id="scaler"><tr class="scaler"><th>item</th><th>count</th><th>cost</th></tr>
${scalerRows}
<tr class="scaler"><th>total</th><th></th><th>$${sc.totalCost.toFixed(2)}</th></tr></table>
</body></html>`;
}
