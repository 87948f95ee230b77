// Shared vitest settings for every package: node environment, real sockets, generous
// timeouts for integration tests that start servers or PostgreSQL, no retries (a flaky test is a bug).
export const preset = {
  environment: "node",
  testTimeout: 30_000,
  hookTimeout: 120_000,
  retry: 0,
  pool: "forks",
};

/** Builds one vitest project for the package in `dir` (relative to the repo root). */
export function packageProject(dir, name, overrides = {}) {
  return {
    // Controllers in tests use legacy (tsyringe-style) decorators with emitted metadata.
    oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
    test: {
      ...preset,
      name,
      root: dir,
      include: ["test/**/*.test.ts"],
      ...overrides,
    },
  };
}
