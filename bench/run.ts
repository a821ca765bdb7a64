/**
 * `npm run bench [-- --quick] [-- --only NAME]`: runs every benchmark and
 * writes one JSON file per entry under bench/results/.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { benchService } from "./service";
import { benchSynth } from "./synth";
import { benchCost } from "./cost";
import { benchTwin } from "./twin";

const ENTRIES: Record<string, (quick: boolean) => Promise<Record<string, unknown>>> = {
  service: benchService,
  synth: benchSynth,
  cost: benchCost,
  twin: benchTwin,
};

async function main(argv: string[]): Promise<void> {
  const quick = argv.includes("--quick");
  const onlyAt = argv.indexOf("--only");
  const only = onlyAt >= 0 ? argv[onlyAt + 1] : undefined;
  if (only && !ENTRIES[only]) throw new Error(`unknown benchmark "${only}"; choose one of ${Object.keys(ENTRIES).join(", ")}`);
  const dir = join(__dirname, "results");
  mkdirSync(dir, { recursive: true });
  for (const [name, run] of Object.entries(ENTRIES)) {
    if (only && name !== only) continue;
    process.stdout.write(`bench ${name}...\n`);
    const result = {
      name,
      at: new Date().toISOString(),
      machine: { node: process.version, cpus: cpus().length, model: cpus()[0]?.model },
      quick,
      ...(await run(quick)),
    };
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
    process.stdout.write(`${JSON.stringify(result, null, 2)}\nwrote ${file}\n`);
  }
}

main(process.argv.slice(2)).catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.message}\n`);
  process.exit(1);
});
