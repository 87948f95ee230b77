// Runs the HTTP/3 integration tests again against the ASan+UBSan builds of the engine and this
// addon: any heap error, use-after-free or undefined behaviour aborts a worker and fails this test.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildSanitized, engineDir, runSanitizedVitest } from "../../../native/scripts/sanitize-build.mjs";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

describe("sanitizer build", () => {
  it("passes the HTTP/3 client, hostile-datagram, graceful-close and QPACK/stream abuse tests under ASan and UBSan", () => {
    const addons = [
      buildSanitized(engineDir, "fasterapi_engine"),
      buildSanitized(packageDir, "fasterapi_http3"),
    ];
    // The transport's tests live in @fasterapi/http3, which drives this addon.
    const { status, output } = runSanitizedVitest(addons, [
      "--project",
      "http3",
      "test/http3.integration.test.ts",
      "test/bad-input.integration.test.ts",
      "test/lifecycle.integration.test.ts",
      "test/qpack-abuse.integration.test.ts",
    ]);
    expect(output).not.toMatch(/AddressSanitizer|runtime error:/);
    expect(output).toMatch(/Tests\s+.*\d+ passed/);
    expect(status, output.slice(-4000)).toBe(0);
  }, 600_000);
});
