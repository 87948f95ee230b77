// Request counters and a latency histogram for `app.stats()`. The histogram has fixed
// log-spaced buckets (8 per power of two of microseconds, ~9% resolution), so recording a request
// allocates nothing; percentiles are read from the buckets on demand, not kept exactly.

const SUB_BUCKETS = 8;
const SUB_BITS = 3;
const OCTAVES = 40; // 2^40 µs is ~12 days: nothing real exceeds it

/** Fixed-size log-bucket histogram of durations. */
export class LatencyHistogram {
  private readonly counts = new Float64Array(OCTAVES * SUB_BUCKETS);
  private count = 0;

  record(milliseconds: number): void {
    const micros = Math.max(1, Math.round(milliseconds * 1000));
    const bucket = bucketOf(micros);
    this.counts[bucket] = (this.counts[bucket] as number) + 1;
    this.count++;
  }

  /** Non-empty buckets as flat [index, count, ...] pairs, for merging histograms of several workers. */
  buckets(): number[] {
    const pairs: number[] = [];
    for (let i = 0; i < this.counts.length; i++) {
      const n = this.counts[i] as number;
      if (n > 0) pairs.push(i, n);
    }
    return pairs;
  }

  /** Adds another histogram's `buckets()` to this one. */
  addBuckets(pairs: readonly number[]): void {
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const index = pairs[i] as number;
      const n = pairs[i + 1] as number;
      if (!(index >= 0 && index < this.counts.length && n > 0)) continue;
      this.counts[index] = (this.counts[index] as number) + n;
      this.count += n;
    }
  }

  /** The duration in milliseconds below which `fraction` (0..1) of the samples fall; 0 when empty. */
  percentile(fraction: number): number {
    if (this.count === 0) return 0;
    const target = Math.max(1, Math.ceil(this.count * fraction));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i] as number;
      if (seen >= target) return bucketMidpoint(i) / 1000;
    }
    return bucketMidpoint(this.counts.length - 1) / 1000;
  }
}

function bucketOf(micros: number): number {
  if (micros < SUB_BUCKETS) return micros;
  // Values beyond 32 bits are clamped to the last bucket rather than mis-binned by clz32.
  if (micros >= 0xffffffff) return OCTAVES * SUB_BUCKETS - 1;
  const exponent = 31 - Math.clz32(micros);
  const sub = (micros >>> (exponent - SUB_BITS)) & (SUB_BUCKETS - 1);
  return Math.min((exponent - SUB_BITS + 1) * SUB_BUCKETS + sub, OCTAVES * SUB_BUCKETS - 1);
}

/** Middle of the value range that maps to `index` (inverse of bucketOf). */
function bucketMidpoint(index: number): number {
  if (index < SUB_BUCKETS) return index;
  const exponent = Math.floor(index / SUB_BUCKETS) + SUB_BITS - 1;
  const sub = index % SUB_BUCKETS;
  const width = 2 ** (exponent - SUB_BITS);
  const low = 2 ** exponent + sub * width;
  return low + width / 2;
}

export interface RequestCounts {
  total: number;
  "1xx": number;
  "2xx": number;
  "3xx": number;
  "4xx": number;
  "5xx": number;
}

/** The core part of `app.stats()`; transports and sources are added by the app. */
export interface CoreStats {
  requests: RequestCounts;
  inFlight: number;
  latencyMs: { p50: number; p99: number };
}

/** Counts requests by status class and their latency; `inFlight` is maintained by the app. */
export class RequestStats {
  inFlight = 0;
  private total = 0;
  private readonly byClass = new Float64Array(6);
  private readonly latency = new LatencyHistogram();

  record(status: number, milliseconds: number): void {
    this.total++;
    const statusClass = (status / 100) | 0;
    if (statusClass >= 1 && statusClass <= 5)
      this.byClass[statusClass] = (this.byClass[statusClass] as number) + 1;
    this.latency.record(milliseconds);
  }

  /** The latency histogram's buckets (see LatencyHistogram.buckets). */
  latencyBuckets(): number[] {
    return this.latency.buckets();
  }

  snapshot(): CoreStats {
    const c = this.byClass;
    return {
      requests: {
        total: this.total,
        "1xx": c[1] as number,
        "2xx": c[2] as number,
        "3xx": c[3] as number,
        "4xx": c[4] as number,
        "5xx": c[5] as number,
      },
      inFlight: this.inFlight,
      latencyMs: { p50: this.latency.percentile(0.5), p99: this.latency.percentile(0.99) },
    };
  }
}
