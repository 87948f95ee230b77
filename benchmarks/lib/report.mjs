// Turns one run's raw numbers into the printed table (raw req/s, p50, p99) and the ratios of
// each subject against each peer measured in the same run, and a Markdown version for BENCHMARKS.md.

/** @param {{ cases: Record<string, Record<string, {requestsPerSec:number,p50Ms:number,p99Ms:number,errors:number}>> }} run */
// JSON turns NaN (no latency for codec rows) into null; both print as "-".
const fixed = (value, digits) => (Number.isFinite(value) ? value.toFixed(digits) : "-");

export function rawRows(run, throughputLabel = "req/s") {
  const rows = [];
  for (const [caseName, byServer] of Object.entries(run.cases)) {
    for (const [server, r] of Object.entries(byServer)) {
      rows.push([
        caseName,
        server,
        fixed(r.requestsPerSec, 0),
        fixed(r.p50Ms, 3),
        fixed(r.p99Ms, 3),
        String(r.errors),
      ]);
    }
  }
  return { header: ["case", "server", throughputLabel, "p50 ms", "p99 ms", "errors"], rows };
}

/** `comparable(caseName, subject, peer)` lets a suite skip pairs that make no sense (codec L1 vs CLI -b3). */
export function ratioRows(run, subjects, comparable = () => true) {
  const rows = [];
  for (const [caseName, byServer] of Object.entries(run.cases)) {
    for (const subject of subjects) {
      const s = byServer[subject];
      if (!s) continue;
      for (const [peer, p] of Object.entries(byServer)) {
        if (peer === subject || subjects.includes(peer) || !comparable(caseName, subject, peer)) continue;
        rows.push([caseName, `${subject} / ${peer}`, `${(s.requestsPerSec / p.requestsPerSec).toFixed(2)}x`]);
      }
    }
  }
  return { header: ["case", "ratio (throughput)", "value"], rows };
}

export function textTable({ header, rows }) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export function markdownTable({ header, rows }) {
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}
