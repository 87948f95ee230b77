// For sanitizer tests: (re)builds a package's ASan+UBSan addon into build-sanitize/ when it is
// missing or older than the package's native sources, and runs vitest against such builds.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const scripts = fileURLToPath(new URL(".", import.meta.url));
/** The engine package's directory (its own addon is one that tests usually need too). */
export const engineDir = join(scripts, "..");

/** Newest modification time among a package's native sources, test fixture addons and the engine ABI header. */
function newestSource(dir) {
  let newest = statSync(join(dir, "addon.gypi")).mtimeMs;
  const fixtures = join(dir, "test", "fixtures");
  const fixtureDirs = existsSync(fixtures)
    ? readdirSync(fixtures, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => join(fixtures, entry.name))
    : [];
  for (const folder of [join(dir, "src"), join(engineDir, "include", "fasterapi"), ...fixtureDirs]) {
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder)) {
      if (/\.(cc|h)$/.test(name)) newest = Math.max(newest, statSync(join(folder, name)).mtimeMs);
    }
  }
  return newest;
}

/** Path of `addon` (e.g. "fasterapi_engine") built with sanitizers in package `dir`; builds it if stale. */
export function buildSanitized(dir, addon) {
  const binary = join(dir, "build-sanitize", "build", "Release", `${addon}.node`);
  if (existsSync(binary) && statSync(binary).mtimeMs >= newestSource(dir)) return binary;
  const build = spawnSync(process.execPath, [join(scripts, "build-native.mjs")], {
    cwd: dir,
    env: { ...process.env, FASTERAPI_SANITIZE: "1" },
    encoding: "utf8",
  });
  if (build.status !== 0)
    throw new Error(`${addon} sanitizer build failed:\n${build.stdout}\n${build.stderr}`);
  return binary;
}

/** Runs `vitest run ...vitestArgs` with the sanitizer runtimes preloaded; returns status and output. */
export function runSanitizedVitest(addons, vitestArgs) {
  const run = spawnSync("bash", [join(scripts, "sanitized-vitest.sh"), ...addons, "--", ...vitestArgs], {
    encoding: "utf8",
    timeout: 240_000,
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  return { status: run.status, output: `${run.stdout}\n${run.stderr}` };
}
