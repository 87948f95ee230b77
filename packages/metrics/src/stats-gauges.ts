// Gauges mirroring app.stats(): requests in flight, open connections per transport, and every
// numeric field of every stats source as `fasterapi_<source>_<field>`. The last part is the
// extension point: the PostgreSQL pool's source ("pool": total, idle, borrowed, pending, ...) shows
// up as fasterapi_pool_idle etc., and a future package (WebSocket sockets) that registers a stats
// source with numeric fields is exported the same way without changes here.
import type { AppStats } from "@fasterapi/core";
import { Gauge } from "prom-client";
import type { Metrics } from "./metrics.js";

/** `inFlight` -> `in_flight`; anything outside Prometheus' name alphabet becomes `_`. */
export function metricName(...parts: string[]): string {
  return parts
    .map((p) => p.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase())
    .join("_")
    .replace(/[^a-zA-Z0-9_]/g, "_");
}

function numericFields(value: unknown): [string, number][] {
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).filter((entry): entry is [string, number] => typeof entry[1] === "number");
}

/** Registers the gauges; stats sources are discovered from one app.stats() taken now (after ready). */
export function registerStatsGauges(metrics: Metrics, initial: AppStats): void {
  const registers = [metrics.registry];
  const stats = () => metrics.current as AppStats;
  new Gauge({
    name: "http_requests_in_flight",
    help: "Requests received and not yet answered.",
    registers,
    collect() {
      this.set(stats().inFlight);
    },
  });
  new Gauge({
    name: "fasterapi_transport_open_connections",
    help: "Open client connections, per transport (http1, h2, ...).",
    labelNames: ["transport"] as const,
    registers,
    collect() {
      for (const [transport, t] of Object.entries(stats().transports))
        this.set({ transport }, t.activeConnections);
    },
  });
  new Gauge({
    name: "fasterapi_transport_connections_accepted",
    help: "Client connections accepted since start, per transport.",
    labelNames: ["transport"] as const,
    registers,
    collect() {
      for (const [transport, t] of Object.entries(stats().transports)) this.set({ transport }, t.connections);
    },
  });
  const core = new Set(["requests", "inFlight", "latencyMs", "transports"]);
  for (const [source, value] of Object.entries(initial)) {
    if (core.has(source)) continue;
    for (const [field] of numericFields(value)) {
      new Gauge({
        name: metricName("fasterapi", source, field),
        help: `app.stats().${source}.${field}`,
        registers,
        collect() {
          const current = (stats()[source] as Record<string, unknown> | undefined)?.[field];
          if (typeof current === "number") this.set(current);
        },
      });
    }
  }
}
