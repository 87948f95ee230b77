// Accumulates chunks from a stream for a framing parser (protocol messages, COPY binary tuples).
// Chunks are used in place and queued, never merged eagerly: only a frame that straddles chunks is
// copied, once, into a buffer of exactly its size, when all its bytes have arrived. Bytes already
// handed out are never rewritten, so views into earlier frames stay valid.

const EMPTY = Buffer.alloc(0);

export class ReceiveBuffer {
  /** The current contiguous bytes are `buf[pos, end)`; more may wait in the queue. */
  buf: Buffer = EMPTY;
  pos = 0;
  end = 0;
  private readonly queue: Buffer[] = [];
  private queued = 0;

  /** Bytes received and not yet consumed (contiguous or not). */
  get available(): number {
    return this.end - this.pos + this.queued;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.pos === this.end && this.queued === 0) {
      this.buf = chunk;
      this.pos = 0;
      this.end = chunk.length;
      return;
    }
    this.queue.push(chunk);
    this.queued += chunk.length;
  }

  /**
   * Makes `n` bytes from `pos` contiguous in `buf` if they have arrived; returns false otherwise. Joins
   * exactly `n` bytes, or with `greedy` everything received (for callers that will ask again for more).
   * `buf`/`pos` may change: re-read them after a call.
   */
  ensure(n: number, greedy = false): boolean {
    const have = this.end - this.pos;
    if (have >= n) return true;
    if (have + this.queued < n) return false;
    const size = greedy ? have + this.queued : n;
    const joined = Buffer.allocUnsafe(size);
    let filled = this.buf.copy(joined, 0, this.pos, this.end);
    while (filled < size) {
      const head = this.queue[0]!;
      const take = Math.min(head.length, size - filled);
      head.copy(joined, filled, 0, take);
      filled += take;
      this.queued -= take;
      if (take === head.length) this.queue.shift();
      else this.queue[0] = head.subarray(take);
    }
    this.buf = joined;
    this.pos = 0;
    this.end = size;
    return true;
  }

  /** Marks `n` contiguous bytes as consumed; moves on to the next queued chunk when these run out. */
  consume(n: number): void {
    this.pos += n;
    if (this.pos < this.end) return;
    const next = this.queue.shift();
    if (next === undefined) {
      // Drop the reference so the chunk can be collected once the caller is done with its frames.
      this.buf = EMPTY;
      this.pos = this.end = 0;
      return;
    }
    this.queued -= next.length;
    this.buf = next;
    this.pos = 0;
    this.end = next.length;
  }
}
