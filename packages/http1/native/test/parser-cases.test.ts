// Compiles the C++ case runner (ASan+UBSan) and runs the Markdown specification in test/cases/.
// The runner replays every case whole and byte by byte; any mismatch fails this test.
import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

describe("HTTP/1.1 parser specification (test/cases/*.md)", () => {
  it("passes every case, whole and byte by byte", () => {
    execFileSync("make", ["-s", "build-tests/test/parser_cases"], { cwd: packageDir, stdio: "pipe" });
    const run = spawnSync("./build-tests/test/parser_cases", ["test/cases"], {
      cwd: packageDir,
      encoding: "utf8",
    });
    const failures = run.stdout.split("\n").filter((line) => line.startsWith("FAIL"));
    expect(failures).toEqual([]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^\d{2,} cases, 0 failed$/m);
  }, 120_000);
});
