// Runs the UDP endpoint suite again against the ASan+UBSan builds of the engine and the UDP echo
// fixture: any heap error, use-after-free or undefined behaviour aborts a worker and fails this
// test. The sanitized addons are (re)built first when missing or stale.
import { describe, expect, it } from "vitest";
import { buildSanitized, engineDir, runSanitizedVitest } from "../scripts/sanitize-build.mjs";

describe("sanitizer build", () => {
  it("passes the UDP endpoint suite under ASan and UBSan", () => {
    // One gyp project: building the engine builds the fixture addons beside it.
    const addons = [
      buildSanitized(engineDir, "fasterapi_engine"),
      buildSanitized(engineDir, "udp_echo_fixture"),
    ];
    const { status, output } = runSanitizedVitest(addons, [
      "--project",
      "native",
      "test/udp.integration.test.ts",
    ]);
    expect(output).not.toMatch(/AddressSanitizer|runtime error:/);
    expect(output).toMatch(/Tests\s+.*\d+ passed/);
    expect(status, output.slice(-4000)).toBe(0);
  }, 420_000);
});
