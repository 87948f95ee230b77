// A dependency-free SVG bar chart of req/s per case and server, written beside the JSON results.
const COLORS = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777"];

export function barChartSvg(title, run) {
  const cases = Object.keys(run.cases);
  const servers = [...new Set(cases.flatMap((c) => Object.keys(run.cases[c])))];
  const max = Math.max(1, ...cases.flatMap((c) => Object.values(run.cases[c]).map((r) => r.requestsPerSec)));
  const barW = 22;
  const groupW = servers.length * barW + 30;
  const chartH = 260;
  const width = 80 + cases.length * groupW;
  const height = chartH + 90 + servers.length * 16;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="18" font-size="14" font-weight="bold">${escapeXml(title)} (req/s)</text>`,
  ];
  cases.forEach((c, ci) => {
    const x0 = 60 + ci * groupW;
    servers.forEach((s, si) => {
      const r = run.cases[c][s];
      if (!r) return;
      const h = (r.requestsPerSec / max) * chartH;
      const x = x0 + si * barW;
      parts.push(
        `<rect x="${x}" y="${30 + chartH - h}" width="${barW - 4}" height="${h}" fill="${COLORS[si % COLORS.length]}"/>`,
      );
    });
    parts.push(`<text x="${x0}" y="${chartH + 45}">${escapeXml(c)}</text>`);
  });
  servers.forEach((s, si) => {
    const y = chartH + 65 + si * 16;
    parts.push(`<rect x="10" y="${y - 9}" width="10" height="10" fill="${COLORS[si % COLORS.length]}"/>`);
    parts.push(`<text x="26" y="${y}">${escapeXml(s)}</text>`);
  });
  parts.push(`<text x="10" y="${30 + 10}">${Math.round(max)}</text>`, "</svg>");
  return parts.join("\n");
}

function escapeXml(s) {
  return s.replace(/[<>&"]/g, (ch) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[ch]);
}
