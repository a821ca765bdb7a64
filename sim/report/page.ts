/**
 * The report page: one self-contained HTML file. The verdict and the tables
 * are plain HTML; the charts are drawn in the browser by uPlot from inlined
 * JSON. A Content-Security-Policy allows nothing from outside the file, so a
 * chart that tried to fetch anything would fail loudly instead of quietly.
 */
import type { StrategyResult } from "../simulator";
import type { SimulationReport } from "./types";
import { reportAssets } from "./assets";
import { billTable, groupTotals, type BillGroup, type BillTable } from "./bill-table";
import { chartData, optimumName, policyFigures, referenceLines } from "./data";
import { at, esc, qty, strategyName, usd } from "./format";
import { verdict, type Verdict } from "./verdict";

const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

const CSS = `body{font-family:system-ui,sans-serif;margin:0 auto;padding:1rem 1.5rem;max-width:1200px;color:#1a202c;line-height:1.45}
h1{margin:.2rem 0}h2{margin:1.4rem 0 .4rem;font-size:1.2rem}section{padding:.2rem 0 .6rem}p.sub,.caption,.note{color:#4a5568;margin:.2rem 0}
table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #cbd5e0;padding:.2rem .5rem;text-align:right;vertical-align:top}td:first-child,th:first-child{text-align:left}
tr.group th{background:#edf2f7;text-align:left}tr.total th,tr.total td{font-weight:bold;border-top:2px solid #4a5568}td .q{display:block;color:#718096;font-size:.8rem}
.headline{font-size:1.15rem;font-weight:600;margin:.3rem 0}ul.comparisons{padding-left:1.2rem;margin:.3rem 0}ul.comparisons li{margin:.3rem 0}
li.saved strong{color:#276749}li.lost strong{color:#9b2c2c}
.totals{display:grid;grid-template-columns:11rem 1fr 6rem;gap:.25rem .6rem;align-items:center;margin:.6rem 0 .2rem;max-width:900px}
.bar{display:flex;height:1.1rem;background:#f7fafc}.bar span{display:block;height:100%}.total{text-align:right;font-variant-numeric:tabular-nums}
.k-lambda{background:#ed8936}.k-fargate{background:#48bb78}.k-scaler{background:#4299e1}.k-other{background:#a0aec0}.k-unserved{background:repeating-linear-gradient(45deg,#e53e3e 0 3px,#fed7d7 3px 6px)}
p.sizing{border-left:4px solid #c53030;background:#fff5f5;padding:.3rem .6rem;margin:.4rem 0}ul.ratios{margin:.2rem 0;padding-left:1.2rem;color:#2d3748}
.key{display:inline-block;width:.8rem;height:.8rem;margin:0 .25rem 0 .8rem;vertical-align:middle}
nav.zoom{position:sticky;top:0;z-index:5;background:#fff;border-bottom:1px solid #e2e8f0;padding:.4rem 0;display:flex;gap:.8rem;align-items:center;flex-wrap:wrap;font-size:.9rem}
.chart{width:100%;min-height:120px}.tip{position:absolute;z-index:10;max-width:340px;background:#1a202c;color:#fff;font-size:12px;padding:.35rem .5rem;border-radius:4px;pointer-events:none;line-height:1.35}
.tip em{color:#cbd5e0}details{margin:.5rem 0}code{font-size:.9em}`;

const GROUP_KEYS: Record<BillGroup, { className: string; legend: string }> = {
  "Lambda tier": { className: "k-lambda", legend: "Lambda tier (API Gateway, Lambda)" },
  "Fargate tier": { className: "k-fargate", legend: "Fargate tier (tasks, ALB, public IPv4)" },
  "The scaler (LambdaFlex only)": { className: "k-scaler", legend: "the scaler" },
  Other: { className: "k-other", legend: "not itemized" },
};

const UNSERVED_KEY = {
  className: "k-unserved",
  legend: "requests failed or overloaded, at what Lambda would have charged (equal service)",
};

/** Each strategy's total as a bar split by where the money went, with what equal service adds for requests it did not serve within capacity. */
function totalsBars(table: BillTable, strategies: readonly StrategyResult[]): string {
  const charge = (j: number) => Math.max(0, (strategies[j]?.costAtEqualService ?? table.totals[j]!) - table.totals[j]!);
  const max = Math.max(...table.totals.map((t, j) => t + charge(j)), 1e-9);
  const rows = table.strategies.map((s, j) => {
    const groups = groupTotals(table, s);
    const segments = (Object.keys(groups) as BillGroup[])
      .filter((g) => groups[g] > 0)
      .map(
        (g) =>
          `<span class="${GROUP_KEYS[g].className}" style="width:${((groups[g] / max) * 100).toFixed(2)}%" title="${esc(`${g}: ${usd(groups[g])}`)}"></span>`,
      )
      .join("");
    const extra =
      charge(j) >= 0.005
        ? `<span class="${UNSERVED_KEY.className}" style="width:${((charge(j) / max) * 100).toFixed(2)}%" title="${esc(`not served within capacity: ${usd(charge(j))}`)}"></span>`
        : "";
    const total = extra ? `${usd(table.totals[j]!)} + ${usd(charge(j))}` : usd(table.totals[j]!);
    return `<span>${esc(strategyName(s))}</span><span class="bar">${segments}${extra}</span><span class="total">${total}</span>`;
  });
  const keys = [
    ...Object.values(GROUP_KEYS),
    ...(strategies.some((_, j) => charge(j) >= 0.005) ? [UNSERVED_KEY] : []),
  ].map((k) => `<span class="key ${k.className}"></span>${esc(k.legend)}`);
  return `<div class="totals" role="img" aria-label="total cost per strategy, split by where the money went">${rows.join("\n")}</div><p class="note">${keys.join(" ")}</p>`;
}

function verdictSection(v: Verdict, table: BillTable, strategies: readonly StrategyResult[]): string {
  const items = v.comparisons
    .map((c) => `<li class="${c.outcome}"><strong>${esc(c.lead)}</strong> ${esc(c.why)}</li>`)
    .join("\n");
  const notes = v.notes.map((n) => `<p class="note">${esc(n)}</p>`).join("");
  const sizing = v.sizing ? `<p class="sizing" id="sizing">${esc(v.sizing)}</p>` : "";
  const ratios = v.ratios.length
    ? `<ul class="ratios" id="ratios">${v.ratios.map((r) => `<li>${esc(r)}</li>`).join("")}</ul>`
    : "";
  return `<section id="verdict"><h2>Verdict</h2><p class="headline">${esc(v.headline)}</p>${sizing}<ul class="comparisons">${items}</ul>${ratios}${notes}${totalsBars(table, strategies)}</section>`;
}

function billSection(table: BillTable): string {
  const head = `<tr><th>item</th><th>unit</th>${table.strategies.map((s) => `<th>${esc(strategyName(s))}</th>`).join("")}</tr>`;
  const body: string[] = [];
  let group = "";
  for (const r of table.rows) {
    if (r.group !== group)
      body.push(`<tr class="group"><th colspan="${table.strategies.length + 2}">${esc((group = r.group))}</th></tr>`);
    const cells = r.cells
      .map((c) =>
        c
          ? `<td>${usd(c.usd)}${c.quantity !== undefined ? `<span class="q">${qty(c.quantity)}</span>` : ""}</td>`
          : "<td>–</td>",
      )
      .join("");
    body.push(`<tr><td>${esc(r.label)}</td><td>${esc(r.unit)}</td>${cells}</tr>`);
  }
  body.push(`<tr class="total"><th>total</th><td></td>${table.totals.map((t) => `<td>${usd(t)}</td>`).join("")}</tr>`);
  return `<section id="bill"><h2>Itemized bill</h2><p class="caption">What each strategy paid for, over the whole trace: the cost, with the usage it was billed on below it. Prices are AWS us-east-1 public prices (model/prices.ts).</p>
<table id="bill-table">${head}\n${body.join("\n")}</table></section>`;
}

function strategiesSection(report: SimulationReport): string {
  const rows = report.strategies
    .map((s) => {
      const f = s.requestsFailed;
      const failed = `${qty(f.total)}<span class="q">${qty(f.throttled)} / ${qty(f.rateLimited)} / ${qty(f.noTarget)} / ${qty(f.deadEndpoint)}</span>`;
      return `<tr><td>${esc(strategyName(s.strategy))}</td><td>${usd(s.totalCost)}</td><td>${usd(s.costAtEqualService)}</td><td>${usd(s.costPerMillionRequests)}</td><td>${s.transitions}</td><td>${s.transitionsPerDay.toFixed(2)}</td><td>${qty(s.minutesWithFargateResources)}</td><td>${qty(s.minutesByTier.fargate)}</td><td>${qty(s.requestsServed.lambda)}</td><td>${qty(s.requestsServed.fargate)}</td><td>${qty(s.requestsOverloaded)}</td><td>${failed}</td><td>${qty(s.shortfallMinutes)}</td></tr>`;
    })
    .join("\n");
  return `<section id="strategies"><h2>Strategies</h2><p class="caption">Every request is served within capacity on a tier, answered by an overloaded task (past ${report.sizing ? `${qty(report.sizing.requestsPerTaskPerSecond)} req/s` : "requestsPerTaskPerSecond"} per healthy task), or failed: the three add up to the demand. Failed requests are split into Lambda throttles / API Gateway 429s / ALB 503s / requests to a destroyed ALB.</p><table id="strategies-table"><tr><th>strategy</th><th>billed</th><th>at equal service</th><th>billed per 1M requests</th><th>transitions</th><th>per day</th><th>minutes the tier existed</th><th>minutes serving on Fargate</th><th>served on Lambda</th><th>served on Fargate</th><th>overloaded</th><th>failed</th><th>minutes short of capacity</th></tr>
${rows}</table></section>`;
}

function scalerSection(report: SimulationReport): string {
  const sc = report.scaler;
  const runs = Object.entries(sc.terraformRunsByStatus)
    .map(([status, n]) => `${esc(status)} ${n}`)
    .join(", ");
  const triggers = Object.entries(sc.invocationsByTrigger ?? {})
    .map(([t, n]) => `${esc(t)} ${qty(n)}`)
    .join(", ");
  const idle = report.idleBill
    ? `<p>While the tier is off, the core stack bills ${usd(report.idleBill.totalUsdPerMonth)} a month (${report.idleBill.items.map((i) => `${esc(i.item)} ${usd(i.usdPerMonth)}`).join("; ")}).</p>`
    : "";
  return `<section id="scaler"><h2>The scaler, metered in the twin</h2>
<p>${qty(sc.invocations)} invocations (${triggers || "none"}), ${sc.commits.length} commits, Terraform runs: ${runs || "none"} (${sc.terraformRunsQueuedByScaler} queued again by the scaler), ${sc.alerts} alert episodes, ${sc.timeouts} timeouts. It cost ${usd(sc.totalCost)} in all; its items are in the bill above.</p>${idle}
<p class="note">World seed ${report.world.seed}; every parameter of the emulated world is in <code>simulation.json</code>.</p></section>`;
}

function transitionsTable(report: SimulationReport): string {
  const log = report.strategies.find((s) => s.strategy === "lambdaflex")?.log ?? [];
  if (log.length === 0) return `<p class="note">LambdaFlex made no transition.</p>`;
  const rows = log
    .map((l) => `<tr><td>${at(l.minute)}</td><td>${esc(l.from)} → ${esc(l.to)}</td><td>${esc(l.reason)}</td></tr>`)
    .join("\n");
  return `<details><summary>All ${log.length} transitions and their reasons</summary><table id="transitions"><tr><th>when</th><th>transition</th><th>reason</th></tr>\n${rows}</table></details>`;
}

/** The report page for a simulation and its trace (requests per minute). */
export function renderPage(report: SimulationReport, trace: readonly number[]): string {
  const assets = reportAssets();
  const table = billTable(report);
  const days = Math.ceil(trace.length / 1440);
  const lines = referenceLines(report).map((l) => `${l.label} ${l.rps.toFixed(2)} req/s`);
  const figures = policyFigures(report);
  const data = JSON.stringify(chartData(report, trace)).replace(/</g, "\\u003c");
  const dayOptions = Array.from({ length: days }, (_, d) => `<option value="${d}">day ${d}</option>`).join("");
  const title = `LambdaFlex simulation: ${report.trace.source} x${report.trace.scale}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${esc(title)}</title>
<style>${assets.uplotCss}</style>
<style>${CSS}</style></head>
<body><header><h1>LambdaFlex simulation</h1>
<p class="sub">Trace <code>${esc(report.trace.source)}</code> &times; ${report.trace.scale}: ${(report.trace.minutes / 1440).toFixed(1)} days (${qty(report.trace.minutes)} minutes), ${qty(report.trace.requests)} requests.</p></header>
${verdictSection(verdict(report, trace), table, report.strategies)}
<div id="charts"><nav class="zoom"><button type="button" id="zoom-all">Whole trace</button><label>Zoom to <select id="zoom-day"><option value="">a day…</option>${dayOptions}</select></label><span id="zoom-range"></span><span class="note">Drag across a chart to zoom in, double-click to zoom out.</span></nav>
<section id="demand"><h2>${["Demand", "Demand against the break-even"][lines.length] ?? "Demand against the break-even and thresholds"}</h2><p class="caption">Requests per second, minute by minute${lines.length ? `, with ${esc(lines.join(", "))}` : ""}${figures.length ? ` (policy: ${esc(figures.join(", "))})` : ""}. Shaded while LambdaFlex's Fargate tier exists: yellow warming, green serving, orange draining.</p><div class="chart" id="chart-demand"></div></section>
<section id="tier"><h2>LambdaFlex's Fargate tier over time</h2><p class="caption">The scaler's state, the share of requests that reached Fargate, and when ${esc(optimumName(report))} would serve on Fargate. Each flag is a transition: hover it for the scaler's reason.</p><div class="chart" id="chart-tier"></div>${transitionsTable(report)}</section>
<section id="cost"><h2>Cumulative cost</h2><p class="caption">What each strategy had spent by each moment, the scaler's own cost spread evenly over the trace.</p><div class="chart" id="chart-cost"></div></section></div>
${billSection(table)}
${strategiesSection(report)}
${scalerSection(report)}
<script id="report-data" type="application/json">${data}</script>
<script>${assets.uplotJs}</script>
<script>${assets.clientJs}</script>
</body></html>
`;
}
