// Builds build/Release/fasterapi_zstd.node with node-gyp 11 against the running Node's own headers
// (--nodedir = its install prefix), so nothing is ever downloaded. Needs g++, make and libzstd-dev.
// binding.gyp lives in gyp/, not the package root: pnpm runs an implicit `node-gyp rebuild` install
// script for any package with a root binding.gyp, and this package must have no install scripts.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const gypDir = join(packageDir, "gyp");
const nodeGyp = createRequire(import.meta.url).resolve("node-gyp/bin/node-gyp.js");
const nodedir = dirname(dirname(process.execPath));
const result = spawnSync(process.execPath, [nodeGyp, "rebuild", `--nodedir=${nodedir}`, "--jobs=2"], {
  cwd: gypDir,
  stdio: "inherit",
});
if (result.status !== 0) process.exit(result.status ?? 1);
mkdirSync(join(packageDir, "build", "Release"), { recursive: true });
copyFileSync(
  join(gypDir, "build", "Release", "fasterapi_zstd.node"),
  join(packageDir, "build", "Release", "fasterapi_zstd.node"),
);
