// @fasterapi/otel: OpenTelemetry tracing for FasterAPI apps (on @opentelemetry/api; bring an SDK).
export { PG_QUERY_END_CHANNEL, PG_QUERY_START_CHANNEL } from "./query-spans.js";
export { type TracingOptions, tracing } from "./tracing-plugin.js";
