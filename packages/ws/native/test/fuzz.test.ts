// Runs the libFuzzer drivers (ASan+UBSan, invariant checks) of the frame parser and of the
// module's connection state machine for 20 s each over their committed corpora. Any crash,
// sanitizer report or broken invariant makes scripts/fuzz.sh exit non-zero.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

describe("fuzzing the WebSocket frame parser and connection state machine", () => {
  it("survives 20 seconds of libFuzzer per driver without a crash or invariant failure", () => {
    const run = spawnSync("bash", ["scripts/fuzz.sh", "20"], { cwd: packageDir, encoding: "utf8" });
    const tail = run.stdout.split("\n").slice(-30).join("\n");
    expect(run.stdout).toMatch(/== parser_fuzzer[\s\S]*Done \d+ runs in \d+ second/);
    expect(run.stdout).toMatch(/== connection_fuzzer[\s\S]*Done \d+ runs in \d+ second/);
    expect(run.status, tail).toBe(0);
  }, 150_000);
});
