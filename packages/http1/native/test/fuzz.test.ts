// Runs both libFuzzer drivers (ASan+UBSan, invariant checks) for 30 s each over their committed
// corpora. Any crash, sanitizer report or broken invariant makes scripts/fuzz.sh exit non-zero.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

describe("fuzzing the parser and the connection state machine", () => {
  it("survives 30 seconds per driver of libFuzzer without a crash or invariant failure", () => {
    const run = spawnSync("bash", ["scripts/fuzz.sh", "30"], { cwd: packageDir, encoding: "utf8" });
    const tail = run.stdout.split("\n").slice(-30).join("\n");
    // Both drivers ran to their time limit.
    expect(run.stdout.match(/Done \d+ runs in \d+ second/g)).toHaveLength(2);
    expect(run.status, tail).toBe(0);
  }, 240_000);
});
