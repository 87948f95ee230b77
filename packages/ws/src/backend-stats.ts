// The counters every backend keeps, and summing them over backends for app.stats().
import type { BackendStats } from "./backend.js";

export function emptyStats(): BackendStats {
  return { open: 0, messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, dropped: 0 };
}

export function addStats(total: BackendStats, part: BackendStats): void {
  total.open += part.open;
  total.messagesIn += part.messagesIn;
  total.messagesOut += part.messagesOut;
  total.bytesIn += part.bytesIn;
  total.bytesOut += part.bytesOut;
  total.dropped += part.dropped;
}
