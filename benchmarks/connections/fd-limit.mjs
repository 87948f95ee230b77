// Wraps a command so it starts with a raised open-files limit: Node cannot raise its own
// RLIMIT_NOFILE, so a bash parent raises the soft limit (to 65536, or to the hard limit when that
// is lower) and then execs the command, which keeps the same pid for rssKiB and signals.
const RAISE_THEN_EXEC = 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"';

/** @param {string[]} command @returns {string[]} */
export function withRaisedFdLimit(command) {
  return ["bash", "-c", RAISE_THEN_EXEC, ...command];
}
