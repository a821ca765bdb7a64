/**
 * The benchmark figures in the documentation, generated from bench/results:
 * each block between the lines `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`
 * in README.md or a page under docs/ is rewritten from the result files (by
 * `npm run docs`, and by `npm run bench -- --save` in the file it is given),
 * and says which file, date and commit its figures come from.
 * __tests__/bench/readme.test.ts checks that every committed page matches the
 * committed results, so no figure in a block is ever typed by hand.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** Every result file in a directory, by benchmark name (the file name without `.json`). */
export type Results = Record<string, Record<string, any>>;

export function readResults(dir: string): Results {
  if (!existsSync(dir)) return {};
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => [f.slice(0, -".json".length), JSON.parse(readFileSync(join(dir, f), "utf8"))]),
  );
}

const n = (x: number, digits: number) =>
  x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const int = (x: number) => Math.round(x).toLocaleString("en-US");
const kRps = (x: number) => `${(x / 1000).toFixed(1)}k`;
const ms = (x: number) => `${Math.round(x)} ms`;
const met = (g: { met: boolean }) => (g.met ? "met" : "**missed**");
const scaleLabel = (s: number) => `×${s}`;

/** Where a block's figures come from: the file, the day, the commit (and whether the tree had uncommitted changes). */
export function provenance(name: string, r: Record<string, any>): string {
  const day = String(r.at ?? "").slice(0, 10) || "an unknown date";
  const commit = r.commit
    ? `commit ${String(r.commit.sha).slice(0, 7)}${r.commit.dirty ? " with uncommitted changes" : ""}`
    : "no commit recorded";
  const machine = r.machine ? `, Node ${r.machine.node} on ${r.machine.cpus} CPUs` : "";
  return `\`bench/results/${name}.json\`: ${day}, ${commit}${machine}${r.quick ? ", **--quick**" : ""}`;
}

const need = (results: Results, name: string): Record<string, any> => {
  const r = results[name];
  if (!r)
    throw new Error(
      `the docs quote bench/results/${name}.json, which does not exist: run npm run bench -- --only ${name} --save`,
    );
  return r;
};

function serviceBlock(results: Results): string {
  const r = need(results, "service");
  const paths = r.containerThroughput.paths as Record<string, any>;
  const line = (path: string, what: string) => {
    const p = paths[path];
    const ratio = typeof p.ratio === "number" ? p.ratio : p.ratio.value;
    const goal = typeof p.ratio === "number" ? "" : ` (target ${p.ratio.target}: ${met(p.ratio)})`;
    return `| ${what} | ${n(p.bytes, 0)} | ${kRps(p.serviceMedianRps)} | ${kRps(p.baselineMedianRps)} | **${n(ratio, 2)}×**${goal} |`;
  };
  const a = r.lambdaAdapterOverhead;
  return [
    `Container throughput (${provenance("service", r)}; median of ${paths["/healthz"].rounds.length} paired ${r.containerThroughput.secondsPerRound}-second rounds, ${r.containerThroughput.connections} connections):`,
    "",
    "| request | body bytes | service req/s | bare `node:http` req/s, same bytes | ratio |",
    "|---|---|---|---|---|",
    line("/healthz", "`GET /healthz` (answered before Koa)"),
    line("/healthz?via=koa", "`GET /healthz?via=koa` (the same bytes through Koa's router)"),
    line("/openapi.json", "`GET /openapi.json` (answered before Koa, serialized once)"),
    "",
    `serverless-http adds ${n(a.addedP50.value, 1)} µs at p50 over \`app.callback()\` (${n(a.adapterP50Us, 1)} vs ${n(a.directP50Us, 1)} µs, ${int(a.iterations)} requests; target ${a.addedP50.target}: ${met(a.addedP50)}).`,
  ].join("\n");
}

function coldStartBlock(results: Results): string {
  const r = need(results, "cold-start");
  const mapped = r.serviceWithEnableSourceMaps;
  return [
    `Lambda cold start (${provenance("cold-start", r)}; median of ${r.runs} interleaved runs, spawn to the first response to \`${r.event}\`, NODE_OPTIONS \`${r.nodeOptions || "(none)"}\` as in the image):`,
    "",
    "| handler | median | p90 | CPU (median) |",
    "|---|---|---|---|",
    `| empty handler (\`bench/fixtures/empty-handler\`) | ${ms(r.emptyHandler.medianMs)} | ${ms(r.emptyHandler.p90Ms)} | ${r.emptyHandler.cpuMedianMs === null ? "-" : ms(r.emptyHandler.cpuMedianMs)} |`,
    `| the service (\`${r.handler}\`) | ${ms(r.service.medianMs)} | ${ms(r.service.p90Ms)} | ${r.service.cpuMedianMs === null ? "-" : ms(r.service.cpuMedianMs)} |`,
    `| the service with \`${mapped.nodeOptions}\` | ${ms(mapped.medianMs)} | ${ms(mapped.p90Ms)} | ${mapped.cpuMedianMs === null ? "-" : ms(mapped.cpuMedianMs)} |`,
    "",
    `The service starts **${ms(r.overEmptyHandler.value)} over the empty handler** (${n(r.ratio, 2)}×; target ${r.overEmptyHandler.target} ms: ${met(r.overEmptyHandler)})` +
      `${r.cpuOverEmptyHandlerMs === null ? "" : `, ${ms(r.cpuOverEmptyHandlerMs)} of CPU over it`}; \`--enable-source-maps\` would add ${ms(mapped.overServiceMs)}. ` +
      `A cold start reads ${n(r.loadedAtColdStart.value, 2)} MiB of JavaScript (\`lambda.mjs\` and the chunks it imports; target ${r.loadedAtColdStart.target} MiB: ${met(r.loadedAtColdStart)}) of the ${n(r.shippedMiB, 2)} MiB shipped.`,
  ].join("\n");
}

function synthBlock(results: Results): string {
  const r = need(results, "synth");
  const res = r.resources as Record<string, Record<string, number>>;
  const states = (c: Record<string, number>) =>
    Object.entries(c)
      .map(([s, k]) => `${s} ${k}`)
      .join(", ");
  const bootstrap = res.bootstrap!;
  return [
    `Synth (${provenance("synth", r)}; median of ${r.runs}): all stacks in ${n(r.allStacksMedianMs / 1000, 2)} s against ${n(r.oneResourceStackMedianMs / 1000, 2)} s for a one-resource stack (${n(r.ratio, 2)}×; target ${r.allStacks.target} s: ${met(r.allStacks)}). ` +
      `Resources: bootstrap ${bootstrap.always}, plus ${bootstrap.serviceLinkedRoles} service-linked roles unless \`create_service_linked_roles=false\`; ` +
      Object.entries(res)
        .filter(([id]) => id !== "bootstrap")
        .map(([id, c]) => `${id} by tier state ${states(c)}`)
        .join("; ") +
      ".",
  ].join("\n");
}

/** The resource counts alone, for the architecture page. */
function resourcesBlock(results: Results): string {
  const r = need(results, "synth");
  const res = r.resources as Record<string, Record<string, number>>;
  const bootstrap = res.bootstrap!;
  const states = (c: Record<string, number>) =>
    Object.entries(c)
      .map(([s, k]) => `${k} (\`${s}\`)`)
      .join(", ");
  const stacks = Object.entries(res)
    .filter(([id]) => id !== "bootstrap")
    .map(([id, c]) => `${id} ${states(c)}`);
  const slr = `plus ${bootstrap.serviceLinkedRoles} service-linked roles unless \`create_service_linked_roles=false\``;
  return `From ${provenance("synth", r)}: bootstrap ${bootstrap.always} (${slr}); ${stacks.join("; ")}.`;
}

function costBlock(results: Results): string {
  const r = need(results, "cost");
  const rows = (r.scales as any[]).map((s) =>
    [
      scaleLabel(s.scale),
      n(s.simulateSeconds.value, 1),
      n(s.lambdaflex, 2),
      n(s.scalerOverhead, 2),
      n(s.lambdaOnly, 2),
      n(s.fargateAlwaysOn, 2),
      n(s.optimum, 2),
      n(s.lowerBound, 2),
      `${n(s.vsOptimum.value, 2)}${s.vsOptimum.met ? "" : " (missed)"}`,
      n(s.vsLowerBound, 2),
      `${n(s.vsCheaperSingleTier.value, 3)}${s.vsCheaperSingleTier.met ? "" : " (missed)"}`,
      n(s.withoutOverhead.vsOptimum, 2),
      n(s.withoutOverhead.vsCheaperSingleTier, 3),
      n(s.transitionsPerDay.value, 2),
      `${int(s.unservedRequests.lambdaflex)}/${int(s.unservedRequests.optimum)}`,
      `${int(s.scaler.terraformRuns)} (${int(s.scaler.terraformRunsFailed)})`,
      `${int(s.requestsToDeadEndpoint.weighted.value)} / ${int(s.requestsToDeadEndpoint.dnsOnly)}`,
    ].join(" | "),
  );
  const scales = r.scales as any[];
  const check = (label: string, met: (s: any) => boolean) => {
    const missed = scales.filter((s) => !met(s)).map((s) => scaleLabel(s.scale));
    return `${label}: ${missed.length === 0 ? "met at every scale" : `missed at ${missed.join(", ")}, met at the others`}`;
  };
  const nasa1 = scales.find((s) => s.scale === 1);
  return [
    `From ${provenance("cost", r)}:`,
    "",
    'Costs in USD at equal service (the bill plus every failed or overloaded request priced as Lambda would have served it); "optimum" is the same-world optimum (clairvoyant, in the same twin: the goals\' reference), "lower bound" the clairvoyant schedule with the world\'s shortest delays and perfectly sized tasks.',
    "",
    "| scale | twin runs (s, three) | LambdaFlex | of which scaler | Lambda only | Fargate always | same-world optimum | lower bound | vs same-world optimum | vs lower bound | vs cheaper single | policy vs same-world optimum | policy vs single | transitions/day | failed or overloaded requests (LF/opt) | Terraform runs (failed) | requests to a destroyed ALB: weighted / DNS-only |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows.map((row) => `| ${row} |`),
    "",
    `Goals: ${[
      check("within 1.10× the same-world optimum plus the idle budget", (s) => s.vsOptimum.met),
      check("within 1.005× the cheaper single tier plus the idle budget", (s) => s.vsCheaperSingleTier.met),
      check("at most 4 transitions a day", (s) => s.transitionsPerDay.met),
      check("no more failed or overloaded requests than the same-world optimum", (s) => s.unservedRequests.extra.met),
    ].join(
      "; ",
    )}${nasa1 ? `; NASA ×1 ran in ${n(nasa1.simulateSeconds.value, 1)} s (under 60 s: ${met(nasa1.simulateSeconds)})` : ""}.`,
  ].join("\n");
}

function shapesBlock(results: Results): string {
  const r = need(results, "cost");
  const shapes = r.shapes as any[];
  if (shapes.length === 0)
    throw new Error(
      "bench/results/cost.json has no hostile shapes (a --quick run?): run npm run bench -- --only cost --save",
    );
  const rows = shapes.map((s) =>
    [
      s.description,
      n(s.lambdaflex, 2),
      n(s.optimum, 2),
      n(s.lowerBound, 2),
      `${n(s.vsOptimum.value, 2)}${s.vsOptimum.met ? "" : " (missed)"}`,
      n(s.vsLowerBound, 2),
      `${n(s.vsCheaperSingleTier.value, 2)}${s.vsCheaperSingleTier.met ? "" : " (missed)"}`,
      n(s.transitionsPerDay.value, 2),
      `${int(s.requestsToDeadEndpoint.weighted.value)} / ${int(s.requestsToDeadEndpoint.dnsOnly)}`,
    ].join(" | "),
  );
  return [
    `From ${provenance("cost", r)}:`,
    "",
    "Costs in USD at equal service, as above.",
    "",
    "| shape | LambdaFlex | same-world optimum | lower bound | vs same-world optimum | vs lower bound | vs cheaper single | transitions/day | requests to a destroyed ALB: weighted / DNS-only |",
    "|---|---|---|---|---|---|---|---|---|",
    ...rows.map((row) => `| ${row} |`),
  ].join("\n");
}

function deadEndpointsBlock(results: Results): string {
  const r = need(results, "cost");
  const all = [
    ...(r.scales as any[]).map((s) => ({ where: `NASA ${scaleLabel(s.scale)}`, d: s.requestsToDeadEndpoint })),
    ...(r.shapes as any[]).map((s) => ({ where: s.shape as string, d: s.requestsToDeadEndpoint })),
  ];
  const weighted = all.reduce((m, x) => Math.max(m, x.d.weighted.value), 0);
  const worst = all.reduce((a, b) => (b.d.dnsOnly > a.d.dnsOnly ? b : a));
  return (
    `(${provenance("cost", r)}) With 5% of clients keeping DNS answers for 30 minutes (the world's default), the weighted switch sent ` +
    `${weighted === 0 ? "no request" : `up to ${int(weighted)} requests`} to a destroyed ALB on any trace or scale above; the DNS-only switch, ` +
    `run beside it in the same world, sent up to ${int(worst.d.dnsOnly)} (${worst.where}).`
  );
}

function twinBlock(results: Results): string {
  const r = need(results, "twin");
  const worlds = r.worlds as Record<string, any>;
  const t = (x: { median: number; p90: number; max: number }) => `${x.median} / ${x.p90} / ${x.max}`;
  const rows = Object.values(worlds).map(
    (w) =>
      `| ${w.description} | ${w.cyclesCompleted} of ${w.days} | ${w.failedTerraformRuns} | ${t(w.minutesStepToServing)} | ${t(w.minutesDropToOff)} |`,
  );
  const d = worlds.default;
  const hard = worlds.hard;
  const dns = worlds.dnsOnly;
  return [
    `From ${provenance("twin", r)}, ${r.seeds.length} seeds:`,
    "",
    "| world | cycles completed | failed Terraform runs | step → Fargate serving, min (median / p90 / max) | drop → tier gone, min (median / p90 / max) |",
    "|---|---|---|---|---|",
    ...rows,
    "",
    `In the default world traffic reached Fargate a median ${d.minutesStepToServing.median} minutes after the step and the tier was gone a median ${d.minutesDropToOff.median} minutes after the drop` +
      `${dns ? ` (${dns.minutesDropToOff.median} with the DNS-only switch, which keeps no ALB for stragglers)` : ""}` +
      `${hard ? `; in the hard world ${hard.cyclesCompleted} of ${hard.days} cycles completed and the slowest day took ${hard.minutesStepToServing.max} minutes to serve` : ""}.`,
  ].join("\n");
}

/** Every block a page may hold, by name. */
export const BLOCKS: Record<string, (results: Results) => string> = {
  service: serviceBlock,
  "cold-start": coldStartBlock,
  synth: synthBlock,
  resources: resourcesBlock,
  cost: costBlock,
  shapes: shapesBlock,
  "dead-endpoints": deadEndpointsBlock,
  twin: twinBlock,
};

/** A block's opening or closing marker, alone on its line. */
const MARKER = /^<!-- (\/?)bench:([\w-]+) -->$/gm;

/**
 * `readme` with every marked block's content replaced by what BLOCKS renders
 * from `results`. Throws on an unknown block, an unclosed or mismatched
 * marker, or a result file a block needs but that does not exist.
 */
export function renderReadme(
  readme: string,
  results: Results,
  blocks: Record<string, (results: Results) => string> = BLOCKS,
): string {
  let out = "";
  let last = 0;
  let open: { name: string; end: number } | undefined;
  for (const m of readme.matchAll(MARKER)) {
    const [marker, closing, name] = m as unknown as [string, string, string];
    if (!closing) {
      if (open) throw new Error(`README: <!-- bench:${name} --> inside the unclosed block ${open.name}`);
      if (!blocks[name])
        throw new Error(`README: unknown benchmark block "${name}"; known: ${Object.keys(blocks).join(", ")}`);
      open = { name, end: m.index! + marker.length };
      out += readme.slice(last, open.end);
    } else {
      if (!open || open.name !== name)
        throw new Error(`README: <!-- /bench:${name} --> closes ${open ? `the block ${open.name}` : "no block"}`);
      out += `\n${blocks[name]!(results)}\n`;
      last = m.index!;
      open = undefined;
    }
  }
  if (open) throw new Error(`README: the block ${open.name} is never closed (<!-- /bench:${open.name} -->)`);
  return out + readme.slice(last);
}

/** Whether a page holds at least one benchmark block (`<!-- bench:NAME -->` on a line of its own). */
export const hasBenchBlocks = (text: string): boolean => /^<!-- bench:[\w-]+ -->$/m.test(text);

/** A page holding benchmark blocks: its path, its committed text, and that text rendered from the results. */
export interface BenchPage {
  readonly path: string;
  readonly text: string;
  readonly rendered: string;
}

/** README.md and every Markdown file under docs/, repository-relative paths sorted. */
export function documentationFiles(root: string): string[] {
  const out: string[] = ["README.md"];
  const walk = (dir: string): void => {
    const full = join(root, dir);
    if (!existsSync(full)) return;
    for (const name of readdirSync(full).sort()) {
      const rel = `${dir}/${name}`;
      if (statSync(join(root, rel)).isDirectory()) walk(rel);
      else if (name.endsWith(".md")) out.push(rel);
    }
  };
  walk("docs");
  return out;
}

/** Every documentation file with at least one benchmark block, rendered from `root`'s bench/results. */
export function benchPages(root: string, results: Results = readResults(join(root, "bench", "results"))): BenchPage[] {
  return documentationFiles(root).flatMap((rel) => {
    const path = join(root, rel);
    if (!existsSync(path)) return [];
    const text = readFileSync(path, "utf8");
    if (!hasBenchBlocks(text)) return [];
    return [{ path, text, rendered: renderReadme(text, results) }];
  });
}
