// The pause of ReadControl, for clients whose reading is one or more Node streams.
import type { ReadControl } from "./suite-client.js";

interface Pausable {
  pause(): unknown;
  resume(): unknown;
}

/** Stops reading `streams` for `pause.ms`, then calls `pause.beforeResume` and reads on. */
export function holdReading(streams: Pausable[], pause: ReadControl["pause"]): void {
  if (pause === undefined) return;
  for (const stream of streams) stream.pause();
  setTimeout(() => {
    pause.beforeResume();
    for (const stream of streams) stream.resume();
  }, pause.ms);
}
