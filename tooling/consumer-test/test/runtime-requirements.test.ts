// Each native package's README states what its addon needs at run time (glibc and libstdc++
// symbol versions, Node-API version, shared libraries). This checks the statement against the
// built addons with binutils, so a build that starts to need a newer glibc, or links one more
// system library, fails here instead of on a user's older machine.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { addonPackages, glibcVersion, repoRoot } from "./fixtures/workspace.js";

/** Compares dotted versions numerically: "2.28" > "2.9". */
function compareVersions(a: string, b: string): number {
  const x = a.split(".").map(Number);
  const y = b.split(".").map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function newest(versions: string[]): string | undefined {
  return versions.sort(compareVersions).at(-1);
}

/** The highest `<prefix>_x.y` symbol version the shared object needs (objdump -T). */
function neededSymbolVersion(file: string, prefix: "GLIBC" | "GLIBCXX"): string | undefined {
  const table = execFileSync("objdump", ["-T", file], { encoding: "utf8" });
  return newest([...table.matchAll(new RegExp(`\\b${prefix}_(\\d+(?:\\.\\d+)+)\\b`, "g"))].map((m) => m[1]!));
}

/** DT_NEEDED entries (readelf -d): the shared libraries the loader must find. */
function neededLibraries(file: string): string[] {
  const dynamic = execFileSync("readelf", ["-d", file], { encoding: "utf8" });
  return [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]!).sort();
}

/** The README's "Run-time requirements" section. */
function requirementsSection(dir: string): string {
  const readme = readFileSync(join(repoRoot, dir, "README.md"), "utf8");
  const section = /^## Run-time requirements\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(readme)?.[1];
  if (section === undefined) throw new Error(`${dir}/README.md has no "## Run-time requirements" section`);
  return section;
}

function statedVersion(section: string, prefix: "GLIBC" | "GLIBCXX"): string | undefined {
  return new RegExp(`\`${prefix}_(\\d+(?:\\.\\d+)+)\``).exec(section)?.[1];
}

/** NAPI_VERSION the addon.gypi compiles against (node_api.h defaults to 8 on Node 20). */
function napiVersion(dir: string): number {
  const gypi = readFileSync(join(repoRoot, dir, "addon.gypi"), "utf8");
  return Number(/NAPI_VERSION=(\d+)/.exec(gypi)?.[1] ?? 8);
}

describe.each(addonPackages().map((pkg) => [pkg.manifest.name, pkg] as const))("%s", (_name, pkg) => {
  const addon = join(repoRoot, pkg.platform.dir, pkg.platform.manifest.main ?? "");
  const section = () => requirementsSection(pkg.dir);

  it("needs no newer glibc than its README states, and that glibc is no newer than this machine's", () => {
    const stated = statedVersion(section(), "GLIBC");
    expect(stated, "README names `GLIBC_x.y`").toBeDefined();
    expect(compareVersions(neededSymbolVersion(addon, "GLIBC") ?? "0", stated!)).toBeLessThanOrEqual(0);
    expect(compareVersions(stated!, glibcVersion() ?? "0")).toBeLessThanOrEqual(0);
  });

  it("needs no newer libstdc++ than its README states", () => {
    const stated = statedVersion(section(), "GLIBCXX");
    expect(stated, "README names `GLIBCXX_x.y.z`").toBeDefined();
    expect(compareVersions(neededSymbolVersion(addon, "GLIBCXX") ?? "0", stated!)).toBeLessThanOrEqual(0);
  });

  it("links exactly the shared libraries its README lists", () => {
    const listed = [...section().matchAll(/`(lib[\w+-]+\.so\.\d+)`/g)].map((m) => m[1]!).sort();
    expect(neededLibraries(addon)).toEqual(listed);
  });

  it("states the Node-API version it is built for, and loads on this machine", () => {
    expect(section()).toContain(`Node-API ${napiVersion(pkg.dir)}`);
    expect(() => createRequire(import.meta.url)(addon)).not.toThrow();
  });
});

describe("the root README's Installing section", () => {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");

  it.each(["GLIBC", "GLIBCXX"] as const)("states a %s no older than any addon needs", (prefix) => {
    const stated =
      prefix === "GLIBC" ? /glibc (\d+\.\d+) or\s+newer/.exec(readme)?.[1] : statedVersion(readme, "GLIBCXX");
    expect(stated, `README.md names the ${prefix} version the prebuilt addons need`).toBeDefined();
    for (const pkg of addonPackages()) {
      const addon = join(repoRoot, pkg.platform.dir, pkg.platform.manifest.main ?? "");
      const needed = neededSymbolVersion(addon, prefix) ?? "0";
      expect(compareVersions(needed, stated!), pkg.manifest.name).toBeLessThanOrEqual(0);
    }
  });
});
