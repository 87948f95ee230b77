#!/usr/bin/env node
// Builds the native addon(s) of the package in the current directory with node-gyp 11 against
// the running Node's own headers (--nodedir = Node's install prefix), so nothing is ever
// downloaded. The package keeps its gyp targets in `addon.gypi`, never a root `binding.gyp`:
// pnpm runs an implicit `node-gyp rebuild` install script for any package with one, and our
// packages have no install scripts. This script writes a small binding.gyp that includes
// ../addon.gypi into build-gyp/ (or, with FASTERAPI_SANITIZE=1, the ASan+UBSan variant into
// build-sanitize/), builds there, and copies normal builds to build/Release/ for the loader and
// into the package's prebuilt platform package for this machine (a subfolder such as
// linux-x64-gnu/ whose package.json has os/cpu/libc and `main` naming the .node), ready to pack.
// Usage (from a package with an addon.gypi): fasterapi-build-native
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";

const pkgDir = process.cwd();
const prefix = dirname(dirname(process.execPath));
const headers = join(prefix, "include", "node", "node_api.h");
if (!existsSync(join(pkgDir, "addon.gypi"))) {
  console.error(`build-native: no addon.gypi in ${pkgDir}`);
  process.exit(1);
}
if (!existsSync(headers)) {
  console.error(`build-native: Node headers not found at ${headers}; install Node's headers`);
  process.exit(1);
}

const sanitize = process.env.FASTERAPI_SANITIZE === "1";
const buildDir = join(pkgDir, sanitize ? "build-sanitize" : "build-gyp");
mkdirSync(buildDir, { recursive: true });
writeFileSync(
  join(buildDir, "binding.gyp"),
  `${JSON.stringify({ variables: { fasterapi_sanitize: sanitize ? 1 : 0 }, includes: ["../addon.gypi"] }, null, 2)}\n`,
);

// Several engineers, turbo and test runs may build the same package at once: serialise them
// with a lock directory (a stale one, whose owner process is gone, is taken over).
mkdirSync(join(buildDir, "build"), { recursive: true });
const lock = join(buildDir, "build", ".build-native.lock");
for (let waited = 0; ; waited += 200) {
  try {
    mkdirSync(lock);
    writeFileSync(join(lock, "pid"), String(process.pid));
    break;
  } catch {
    if (!lockOwnerAlive(lock) || waited > 600_000) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  }
}

function lockOwnerAlive(dir) {
  try {
    process.kill(Number(readFileSync(join(dir, "pid"), "utf8")), 0);
    return true;
  } catch (error) {
    // EPERM: alive but not ours; a missing pid file means the owner is still creating it.
    return error.code === "EPERM" || error.code === "ENOENT";
  }
}

// configure + build rather than rebuild: an incremental build never deletes build/Release,
// so a test run that loads the addon meanwhile keeps working.
const nodeGyp = createRequire(join(pkgDir, "package.json")).resolve("node-gyp/bin/node-gyp.js");
const jobs = String(Math.max(1, Math.min(2, availableParallelism())));
let status = 0;
for (const command of ["configure", "build"]) {
  const args = [nodeGyp, command, `--nodedir=${prefix}`, `--directory=${buildDir}`];
  if (command === "build") args.push("-j", jobs);
  status = spawnSync(process.execPath, args, { stdio: "inherit" }).status ?? 1;
  if (status !== 0) break;
}
rmSync(lock, { recursive: true, force: true });
if (status === 0 && !sanitize) {
  const built = join(buildDir, "build", "Release");
  const target = join(pkgDir, "build", "Release");
  mkdirSync(target, { recursive: true });
  for (const file of readdirSync(built))
    if (file.endsWith(".node")) copyFileSync(join(built, file), join(target, file));
  status = fillPlatformPackages(target);
}
process.exit(status);

/** Copies each platform package's `main` addon from `releaseDir`, for the packages matching this machine. */
function fillPlatformPackages(releaseDir) {
  for (const entry of readdirSync(pkgDir, { withFileTypes: true })) {
    const manifestPath = join(pkgDir, entry.name, "package.json");
    if (!entry.isDirectory() || !existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
    if (!manifest.os || !manifest.cpu || !runsHere(manifest)) continue;
    const addon = join(releaseDir, manifest.main ?? "");
    if (!manifest.main?.endsWith(".node") || !existsSync(addon)) {
      console.error(`build-native: ${manifest.name}'s main (${manifest.main}) is not a built addon`);
      return 1;
    }
    copyFileSync(addon, join(pkgDir, entry.name, manifest.main));
  }
  return 0;
}

function runsHere({ os, cpu, libc }) {
  if (!os.includes(process.platform) || !cpu.includes(process.arch)) return false;
  if (libc === undefined) return true;
  const glibc = process.report?.getReport().header?.glibcVersionRuntime !== undefined;
  return libc.includes(glibc ? "glibc" : "musl");
}
