// Runs the integration tests again against the ASan+UBSan builds: any heap error, use-after-free
// or undefined behaviour in this addon, http1-native's hand-over or the engine aborts a worker and
// fails this test. Sanitized addons are (re)built first when missing or stale.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildSanitized, engineDir, runSanitizedVitest } from "../../../native/scripts/sanitize-build.mjs";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

describe("sanitizer build", () => {
  it("passes the WebSocket integration tests under ASan and UBSan", () => {
    const addons = [
      buildSanitized(engineDir, "fasterapi_engine"),
      buildSanitized(join(packageDir, "../../http1/native"), "fasterapi_http1"),
      buildSanitized(packageDir, "fasterapi_ws"),
    ];
    const { status, output } = runSanitizedVitest(addons, [
      "--project",
      "ws/native",
      "test/native-ws.integration.test.ts",
    ]);
    expect(output).not.toMatch(/AddressSanitizer|runtime error:/);
    expect(output).toMatch(/Tests\s+.*\d+ passed/);
    expect(status, output.slice(-4000)).toBe(0);
  }, 420_000);
});
