// How long the primary waits before replacing a worker that died: doubling from initialDelayMs up
// to maxDelayMs while a slot keeps crashing, back to initialDelayMs once a worker has stayed up
// for resetAfterMs. Plain arithmetic, no timers.

export interface RestartOptions {
  /** Delay before the first restart. Default 100 ms. */
  initialDelayMs?: number;
  /** Upper bound of the delay. Default 30 s. */
  maxDelayMs?: number;
  /** A worker that lived this long resets the backoff. Default 10 s. */
  resetAfterMs?: number;
}

export class RestartBackoff {
  private failures = 0;
  private readonly initial: number;
  private readonly max: number;
  private readonly resetAfter: number;

  constructor(options: RestartOptions = {}) {
    this.initial = options.initialDelayMs ?? 100;
    this.max = options.maxDelayMs ?? 30_000;
    this.resetAfter = options.resetAfterMs ?? 10_000;
  }

  /** The delay before restarting a worker that ran for `uptimeMs`; each call counts one failure. */
  next(uptimeMs: number): number {
    if (uptimeMs >= this.resetAfter) this.failures = 0;
    const delay = Math.min(this.max, this.initial * 2 ** this.failures);
    this.failures++;
    return delay;
  }

  /** Consecutive failures counted so far. */
  get consecutiveFailures(): number {
    return this.failures;
  }
}
