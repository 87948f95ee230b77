/** A loopback TCP port that was free a moment ago, for a server or child process about to bind it. */
export function freePort(): Promise<number>;

/** Whether something accepts TCP connections on 127.0.0.1:`port` now. */
export function portAccepts(port: number): Promise<boolean>;
