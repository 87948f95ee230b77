// One client, one case, in its own process (pinned by the suite): prints a JSON result line.
// Usage: node workload.mjs <client> <case> <url> <durationSec>
import { CLIENTS } from "./clients.mjs";

const [clientName, caseName, url, durationArg] = process.argv.slice(2);
const durationMs = Number(durationArg) * 1000;
const ACCOUNTS = 100_000;

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : Number.NaN;
}

/** Runs `op` with `concurrency` loops until the deadline; returns ops/s and latency percentiles. */
async function measure(op, concurrency, ms) {
  const latencies = [];
  let ops = 0;
  let errors = 0;
  const deadline = performance.now() + ms;
  const started = performance.now();
  async function loop() {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        await op(ops);
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
      ops++;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSec: ops / elapsed,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    errors,
  };
}

/** Batched timing for sub-microsecond operations: median of per-batch means, in ops/s and µs. */
async function measureTiny(op, ms) {
  const batch = 1000;
  const perOp = [];
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) await op();
    perOp.push((performance.now() - t0) / batch);
  }
  perOp.sort((a, b) => a - b);
  const median = percentile(perOp, 0.5);
  return { requestsPerSec: 1000 / median, p50Ms: median, p99Ms: percentile(perOp, 0.99), errors: 0 };
}

const concurrency = caseName === "64 concurrent lookups" ? 64 : 1;
const client = await CLIENTS[clientName](url, caseName === "64 concurrent lookups" ? 16 : 2);
const id = (n) => ((n * 7919) % ACCOUNTS) + 1;
let result;
switch (caseName) {
  case "sequential lookup":
  case "64 concurrent lookups":
    await measure((n) => client.lookup(id(n)), concurrency, 1000);
    result = await measure((n) => client.lookup(id(n)), concurrency, durationMs);
    break;
  case "decode 10k rows x 4 cols":
    await measure(() => client.manyRows(), 1, 1000);
    result = await measure(() => client.manyRows(), 1, durationMs);
    break;
  case "COPY in 200k rows": {
    const rows = 200_000;
    const times = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await client.copyIn(rows);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    result = { requestsPerSec: rows / (times[1] / 1000), p50Ms: times[1], p99Ms: times[2], errors: 0 };
    break;
  }
  case "acquire+release":
    await measureTiny(() => client.acquireRelease(), 500);
    result = await measureTiny(() => client.acquireRelease(), durationMs);
    break;
  default:
    throw new Error(`unknown case ${caseName}`);
}
await client.end();
console.log(JSON.stringify(result));
