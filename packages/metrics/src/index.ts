// @fasterapi/metrics: Prometheus metrics for FasterAPI apps with prom-client.
export { mergeMetrics } from "./merge.js";
export { DURATION_BUCKETS, type MetricSnapshot, Metrics } from "./metrics.js";
export { type MetricsOptions, metrics } from "./metrics-plugin.js";
export { operationOf, PG_QUERY_END_CHANNEL } from "./query-durations.js";
