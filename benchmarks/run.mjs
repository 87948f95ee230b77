// The benchmark harness: `pnpm bench <suite>`. For each case it starts each server pinned to
// CPU 0, warms it up, measures it with wrk pinned to CPU 1, stops it, and prints raw numbers
// plus ratios of our subjects against every peer from this same run; writes JSON and an SVG.
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { baselineCommit } from "./lib/baseline.mjs";
import { barChartSvg } from "./lib/chart.mjs";
import { markdownTable, ratioRows, rawRows, textTable } from "./lib/report.mjs";
import { freePort, startServer } from "./lib/server-process.mjs";
import { runWrk } from "./lib/wrk.mjs";

const SERVER_CPU = Number(process.env.BENCH_SERVER_CPU ?? 0);
const LOAD_CPU = Number(process.env.BENCH_LOAD_CPU ?? 1);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);

const suitesDir = fileURLToPath(new URL("./suites/", import.meta.url));
const suiteNames = readdirSync(suitesDir).map((f) => f.replace(/\.mjs$/, ""));
const name = process.argv[2];
if (!name || !suiteNames.includes(name)) {
  console.error(`usage: pnpm bench <${suiteNames.join("|")}>`);
  process.exit(2);
}
const suite = (await import(`./suites/${name}.mjs`)).default;

const run = {
  suite: name,
  date: new Date().toISOString(),
  machine: {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    node: process.version,
    serverCpu: SERVER_CPU,
    loadCpu: LOAD_CPU,
  },
  durationSec: DURATION,
  // The commit of the BENCH_BASELINE checkout whose servers ran as "(baseline)" peers, if any.
  baseline: baselineCommit(),
  cases: {},
  // Tables a suite measures besides throughput (e.g. memory per idle connection): { title, header, rows }.
  tables: [],
};

await suite.setup?.();
try {
  // Suites that are not (only) wrk-driven, e.g. database clients and codecs, measure themselves.
  if (suite.run)
    Object.assign(
      run.cases,
      await suite.run({
        serverCpu: SERVER_CPU,
        loadCpu: LOAD_CPU,
        durationSec: DURATION,
        addTable: (table) => run.tables.push(table),
      }),
    );
  for (const c of suite.cases ?? []) {
    run.cases[c.name] = {};
    for (const server of suite.servers) {
      if (c.servers && !c.servers.includes(server.name)) continue;
      if (server.only && !server.only.includes(c.name)) continue;
      const port = await freePort();
      const handle = await startServer({
        command: server.command(port),
        env: server.env,
        cpu: SERVER_CPU,
        port,
      });
      try {
        const url = `http://127.0.0.1:${port}${c.path}`;
        const common = { url, connections: c.connections, script: server.script ?? c.script, cpu: LOAD_CPU };
        await runWrk({ ...common, durationSec: WARMUP });
        const result = await runWrk({ ...common, durationSec: DURATION });
        run.cases[c.name][server.name] = result;
        console.log(
          `${c.name.padEnd(22)} ${server.name.padEnd(18)} ${result.requestsPerSec.toFixed(0).padStart(8)} req/s  p99 ${result.p99Ms.toFixed(2)} ms`,
        );
      } finally {
        await handle.stop();
      }
    }
  }
} finally {
  await suite.teardown?.();
}

const raw = rawRows(run, suite.throughputLabel);
const ratios = ratioRows(run, suite.subjects, suite.comparable);
console.log(
  `\n${suite.title}: raw numbers (${DURATION}s per measurement, server CPU ${SERVER_CPU}, load CPU ${LOAD_CPU})\n`,
);
console.log(textTable(raw));
console.log("\nRatios (same run)\n");
console.log(textTable(ratios));

const outDir = fileURLToPath(new URL("./results/", import.meta.url));
mkdirSync(outDir, { recursive: true });
writeFileSync(`${outDir}${name}.json`, `${JSON.stringify({ ...run, ratios: ratios.rows }, null, 2)}\n`);
writeFileSync(`${outDir}${name}.svg`, barChartSvg(suite.title, run));
writeFileSync(
  `${outDir}${name}.md`,
  [
    `Command: \`pnpm bench ${name}\` (${run.date}, ${run.machine.cpu}, Node ${run.machine.node})`,
    markdownTable(raw),
    markdownTable(ratios),
    ...run.tables.map((table) => `${table.title}:\n\n${markdownTable(table)}`),
  ].join("\n\n") + "\n",
);
console.log(`\nwrote benchmarks/results/${name}.json, .svg and .md`);
