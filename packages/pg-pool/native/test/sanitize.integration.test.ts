// Runs the session-socket tests and pg-pool's pipelining, COPY and session-socket tests against
// the ASan+UBSan builds of this addon and the engine: any heap error, use-after-free or
// undefined behaviour aborts a worker and fails this test. Builds them first when stale.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildSanitized, engineDir, runSanitizedVitest } from "../../../native/scripts/sanitize-build.mjs";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

describe("sanitizer build", () => {
  it("carries PostgreSQL sessions under ASan and UBSan", () => {
    const addons = [
      buildSanitized(engineDir, "fasterapi_engine"),
      buildSanitized(packageDir, "fasterapi_pgwire"),
    ];
    const { status, output } = runSanitizedVitest(addons, [
      "--project",
      "pg-pool/native",
      "--project",
      "pg-pool",
      "session-socket",
      "pipeline",
      "copy",
    ]);
    expect(output).not.toMatch(/AddressSanitizer|runtime error:/);
    expect(output).toMatch(/Test Files\s+.*4 passed/);
    expect(status, output.slice(-4000)).toBe(0);
  }, 420_000);
});
