// Runs the integration tests again against the ASan+UBSan builds (scripts/sanitize-suite.sh):
// any heap error, use-after-free or undefined behaviour in the addon or the engine aborts a
// worker and fails this test. Sanitized addons are (re)built first when missing or stale.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const engineDir = join(packageDir, "..", "..", "native");

/** Newest modification time among a package's native sources. */
function newestSource(dir: string): number {
  let newest = statSync(join(dir, "addon.gypi")).mtimeMs;
  for (const sub of ["src", "include/fasterapi"]) {
    const folder = join(dir, sub);
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder)) {
      if (/\.(cc|h)$/.test(name)) newest = Math.max(newest, statSync(join(folder, name)).mtimeMs);
    }
  }
  return newest;
}

function buildSanitized(dir: string, addon: string, script: string): void {
  const binary = join(dir, "build-sanitize", "build", "Release", `${addon}.node`);
  if (existsSync(binary) && statSync(binary).mtimeMs >= newestSource(dir)) return;
  const build = spawnSync(process.execPath, [script], {
    cwd: dir,
    env: { ...process.env, FASTERAPI_SANITIZE: "1" },
    encoding: "utf8",
  });
  expect(build.status, `${addon} sanitizer build failed:\n${build.stdout}\n${build.stderr}`).toBe(0);
}

describe("sanitizer build", () => {
  it("passes the transport suite and the defence tests under ASan and UBSan", () => {
    buildSanitized(engineDir, "fasterapi_engine", join(engineDir, "scripts", "build-native.mjs"));
    buildSanitized(packageDir, "fasterapi_http1", join(engineDir, "scripts", "build-native.mjs"));
    const run = spawnSync("bash", [join(packageDir, "scripts", "sanitize-suite.sh")], {
      encoding: "utf8",
      timeout: 240_000,
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    const output = `${run.stdout}\n${run.stderr}`;
    expect(output).not.toMatch(/AddressSanitizer|runtime error:/);
    expect(output).toMatch(/Tests\s+.*\d+ passed/);
    expect(run.status, output.slice(-4000)).toBe(0);
  }, 420_000);
});
