// Imported through NODE_OPTIONS by sanitized-vitest.sh: inside vitest's worker processes
// (forked, so they have an IPC channel) the ASan runtime is already loaded, so LD_PRELOAD is
// removed from their environment and the clients the tests spawn (curl, pgbench) run uninstrumented.
// The vitest main process keeps it so that it reaches the workers.
if (typeof process.send === "function" && process.env.VITEST !== undefined) {
  delete process.env.LD_PRELOAD;
}
