// Runs the engine's integration tests again against the ASan+UBSan builds of the engine and its
// fixtures (echo protocol, UDP echo): any heap error, use-after-free or undefined behaviour in the
// engine (timer heap, turn hooks, hand-over, adoption, TLS, UDP endpoints) aborts a worker and fails
// this test. The sanitized addons are (re)built first when missing or stale.
import { describe, expect, it } from "vitest";
import { buildSanitized, engineDir, runSanitizedVitest } from "../scripts/sanitize-build.mjs";

describe("sanitizer build", () => {
  it("passes the engine, hand-over, timer, turn hook, TLS and UDP tests under ASan and UBSan", () => {
    // One gyp project: building the engine builds the fixture addons beside it.
    const addons = [
      buildSanitized(engineDir, "fasterapi_engine"),
      buildSanitized(engineDir, "echo_protocol_fixture"),
      buildSanitized(engineDir, "udp_echo_fixture"),
    ];
    const files = ["engine", "handover", "timers", "turn-hook", "tls", "udp"].map(
      (name) => `test/${name}.integration.test.ts`,
    );
    const { status, output } = runSanitizedVitest(addons, ["--project", "native", ...files]);
    expect(output).not.toMatch(/AddressSanitizer|runtime error:/);
    expect(output).toMatch(/Tests\s+.*\d+ passed/);
    expect(status, output.slice(-4000)).toBe(0);
  }, 420_000);
});
