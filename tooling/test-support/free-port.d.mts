/** A loopback TCP port that was free a moment ago, for a server or child process about to bind it. */
export function freePort(): Promise<number>;
