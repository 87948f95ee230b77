// Runs the engine's integration tests again against the ASan+UBSan builds of the engine and the
// echo fixture: any heap error, use-after-free or undefined behaviour in the engine (timers heap,
// turn hooks, hand-over, adoption, TLS) aborts a worker and fails this test.
import { describe, expect, it } from "vitest";
import { buildSanitized, engineDir, runSanitizedVitest } from "../scripts/sanitize-build.mjs";

describe("sanitizer build", () => {
  it("passes the engine, hand-over, timer, turn hook and TLS tests under ASan and UBSan", () => {
    const addons = [
      buildSanitized(engineDir, "fasterapi_engine"),
      buildSanitized(engineDir, "echo_protocol_fixture"),
    ];
    const files = ["engine", "handover", "timers", "turn-hook", "tls"].map(
      (name) => `test/${name}.integration.test.ts`,
    );
    const { status, output } = runSanitizedVitest(addons, ["--project", "native", ...files]);
    expect(output).not.toMatch(/AddressSanitizer|runtime error:/);
    expect(output).toMatch(/Tests\s+.*\d+ passed/);
    expect(status, output.slice(-4000)).toBe(0);
  }, 420_000);
});
