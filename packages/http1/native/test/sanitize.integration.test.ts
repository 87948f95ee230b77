// Runs the integration tests again against the ASan+UBSan builds: any heap error, use-after-free
// or undefined behaviour in the addon or the engine aborts a worker and fails this test.
// Sanitized addons are (re)built first when missing or stale.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildSanitized, engineDir, runSanitizedVitest } from "../../../native/scripts/sanitize-build.mjs";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

describe("sanitizer build", () => {
  it("passes the transport suite and the defence tests under ASan and UBSan", () => {
    const addons = [
      buildSanitized(engineDir, "fasterapi_engine"),
      buildSanitized(packageDir, "fasterapi_http1"),
    ];
    // The native transport's tests live in @fasterapi/http1, which drives this addon.
    const { status, output } = runSanitizedVitest(addons, [
      "--project",
      "http1",
      "test/native-http1.integration.test.ts",
      "test/early-hints-trailers.integration.test.ts",
    ]);
    expect(output).not.toMatch(/AddressSanitizer|runtime error:/);
    expect(output).toMatch(/Tests\s+.*\d+ passed/);
    expect(status, output.slice(-4000)).toBe(0);
  }, 420_000);
});
