// The frame parser specification (test/cases/*.md), one test per file: the C++ runner (built
// with ASan+UBSan) replays each case whole and byte by byte and prints FAIL lines with the events
// it got and the ones the file expects.
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const caseFiles = readdirSync(new URL("cases", import.meta.url)).filter((name) => name.endsWith(".md"));

describe("WebSocket frame parser specification", () => {
  beforeAll(() => {
    execFileSync("make", ["-s", "build-tests/test/parser_cases"], { cwd: packageDir, stdio: "pipe" });
  }, 120_000);

  it.each(caseFiles)("test/cases/%s: every case, whole and byte by byte", (file) => {
    const run = spawnSync("./build-tests/test/parser_cases", [`test/cases/${file}`], {
      cwd: packageDir,
      encoding: "utf8",
    });
    expect(run.stdout.split("\n").filter((line) => line.startsWith("FAIL") || line.startsWith("  "))).toEqual(
      [],
    );
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/^[1-9]\d* cases, 0 failed$/m);
    expect(run.status).toBe(0);
  });
});
