// Load shedding like @fastify/under-pressure: a sampler that compares event-loop delay, heap and RSS
// with thresholds, so a hook can answer 503 + Retry-After cheaply (one field read per request)
// instead of queueing work the process cannot finish. It measures only; the health plugin answers.
import { type IntervalHistogram, monitorEventLoopDelay, performance } from "node:perf_hooks";
import { checkNonNegative } from "./app-options.js";

export interface PressureOptions {
  /** Mean event-loop delay over one sample interval above which the process is overloaded. */
  maxEventLoopDelayMs?: number;
  /** process.memoryUsage().heapUsed limit. */
  maxHeapUsedBytes?: number;
  /** process.memoryUsage().rss limit. */
  maxRssBytes?: number;
  /** Retry-After of the 503 answers. Default 10. */
  retryAfterSeconds?: number;
  /** How often the thresholds are checked. Default 1000 ms. */
  sampleIntervalMs?: number;
  /**
   * Paths still served under pressure besides the health routes. Default ["/metrics"]: monitoring
   * must be able to see an overloaded process.
   */
  exemptPaths?: readonly string[];
}

const LOOP_RESOLUTION_MS = 10;

export class PressureMonitor {
  /** Why the process is overloaded right now (e.g. "heap used 300 MB > 256 MB"), or null. */
  reason: string | null = null;
  private readonly loop: IntervalHistogram | null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastSampleAt = 0;

  constructor(private readonly options: PressureOptions) {
    for (const key of [
      "maxEventLoopDelayMs",
      "maxHeapUsedBytes",
      "maxRssBytes",
      "retryAfterSeconds",
      "sampleIntervalMs",
    ] as const) {
      checkNonNegative(`health pressure.${key}`, options[key]);
    }
    this.loop =
      options.maxEventLoopDelayMs === undefined
        ? null
        : monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  }

  private get interval(): number {
    return this.options.sampleIntervalMs ?? 1000;
  }

  get retryAfterSeconds(): number {
    return this.options.retryAfterSeconds ?? 10;
  }

  start(): void {
    if (this.timer !== null) return;
    this.loop?.enable();
    this.sample();
    this.timer = setInterval(() => this.sample(), this.interval);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.lastSampleAt = 0;
    this.loop?.disable();
  }

  private sample(): void {
    const { maxEventLoopDelayMs, maxHeapUsedBytes, maxRssBytes } = this.options;
    const memory = maxHeapUsedBytes === undefined && maxRssBytes === undefined ? null : process.memoryUsage();
    let reason: string | null = null;
    const now = performance.now();
    const late = this.lastSampleAt === 0 ? 0 : now - this.lastSampleAt - this.interval;
    this.lastSampleAt = now;
    if (this.loop !== null && maxEventLoopDelayMs !== undefined) {
      // The histogram's mean covers the interval; this sample's own lateness catches a block that
      // just ended, before the histogram's timer recorded it. Resolution is not delay.
      const mean = this.loop.count > 0 ? this.loop.mean / 1e6 - LOOP_RESOLUTION_MS : 0;
      const delay = Math.max(0, mean, late);
      if (delay > maxEventLoopDelayMs)
        reason = `event-loop delay ${delay.toFixed(1)} ms > ${maxEventLoopDelayMs} ms`;
      this.loop.reset();
    }
    if (memory !== null && maxHeapUsedBytes !== undefined && memory.heapUsed > maxHeapUsedBytes)
      reason ??= `heap used ${memory.heapUsed} bytes > ${maxHeapUsedBytes}`;
    if (memory !== null && maxRssBytes !== undefined && memory.rss > maxRssBytes)
      reason ??= `rss ${memory.rss} bytes > ${maxRssBytes}`;
    this.reason = reason;
  }
}
