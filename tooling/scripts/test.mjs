// The whole test suite, as README command 2 and CI run it: lint + format check, type-check of the
// test files, package metadata (publint), then every vitest project against the built packages.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

function run(cmd, args, opts = {}) {
  console.log(`\n$ ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: "inherit", ...opts });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

run("pnpm", ["exec", "biome", "check", "."]);
// Test files are type-checked too (the builds only cover src/).
run("pnpm", ["exec", "tsc", "-p", "tsconfig.test.json"]);
for (const name of readdirSync("packages")) {
  for (const dir of [join("packages", name), join("packages", name, "native")]) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "dist"))) {
      run("pnpm", ["exec", "publint", "--strict", dir]);
    }
    // Prebuilt platform packages (linux-x64-gnu/ beside an addon.gypi) once build:native filled them.
    if (!existsSync(join(dir, "addon.gypi"))) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const platform = join(dir, entry.name);
      if (!entry.isDirectory() || !existsSync(join(platform, "package.json"))) continue;
      const { os, main } = JSON.parse(readFileSync(join(platform, "package.json"), "utf8"));
      if (os !== undefined && existsSync(join(platform, main)))
        run("pnpm", ["exec", "publint", "--strict", platform]);
    }
  }
}
const polyfills = new URL("../vitest/node20-polyfills.mjs", import.meta.url).pathname;
const report = ".tmp/vitest-report.json";
const vitest = spawnSync(
  "pnpm",
  [
    "exec",
    "vitest",
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  {
    stdio: "inherit",
    env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import ${polyfills}`.trim() },
  },
);
// One plain closing line that any CI reader understands, from vitest's own JSON report.
if (existsSync(report)) {
  const { numPassedTests, numFailedTests, numPendingTests } = JSON.parse(readFileSync(report, "utf8"));
  console.log(`\nvitest: ${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests} skipped`);
}
process.exit(vitest.status ?? 1);
