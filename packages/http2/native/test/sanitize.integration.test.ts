// Runs @fasterapi/http2's native suites again against the ASan+UBSan builds of this addon, of the
// HTTP/1.1 module (ALPN http/1.1 on the TLS port) and of the engine: any heap error, use-after-free
// or undefined behaviour aborts a worker and fails this test. Stale or missing builds are rebuilt.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildSanitized, engineDir, runSanitizedVitest } from "../../../native/scripts/sanitize-build.mjs";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const http1Dir = fileURLToPath(new URL("../../../http1/native/", import.meta.url));

describe("sanitizer build", () => {
  it("passes the native transport, defence and conformance suites under ASan and UBSan", () => {
    const addons = [
      buildSanitized(engineDir, "fasterapi_engine"),
      buildSanitized(http1Dir, "fasterapi_http1"),
      buildSanitized(packageDir, "fasterapi_http2"),
    ];
    const { status, output } = runSanitizedVitest(addons, [
      "--project",
      "http2",
      "test/native-http2.integration.test.ts",
      "test/native-defences.integration.test.ts",
      "test/native-conformance.integration.test.ts",
    ]);
    expect(output).not.toMatch(/AddressSanitizer|runtime error:/);
    expect(output).toMatch(/Tests\s+.*\d+ passed/);
    expect(status, output.slice(-4000)).toBe(0);
  }, 600_000);
});
