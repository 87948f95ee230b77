// Runs the libFuzzer driver of the module's input path (ASan+UBSan, invariant checks) for 30 s over
// its committed corpus. Any crash, sanitizer report or broken invariant makes scripts/fuzz.sh fail.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

describe("fuzzing the HTTP/2 module's input path", () => {
  it("survives 30 seconds of libFuzzer without a crash or invariant failure", () => {
    const run = spawnSync("bash", ["scripts/fuzz.sh", "30"], { cwd: packageDir, encoding: "utf8" });
    const tail = run.stdout.split("\n").slice(-30).join("\n");
    expect(run.stdout).toMatch(/Done \d+ runs in \d+ second/);
    expect(run.status, tail).toBe(0);
  }, 240_000);
});
