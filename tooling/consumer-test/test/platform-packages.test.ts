// Every package that builds an addon ships it as a prebuilt platform package (the pattern of
// sharp, esbuild and napi-rs): its own npm package per os/cpu/libc, filled by build:native,
// declared as an optional dependency of its parent and versioned with it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { addonPackages, platformTriple, repoRoot } from "./fixtures/workspace.js";

const changesets = JSON.parse(readFileSync(join(repoRoot, ".changeset", "config.json"), "utf8")) as {
  fixed: string[][];
};

describe.each(addonPackages().map((pkg) => [pkg.manifest.name, pkg] as const))("%s", (_name, pkg) => {
  const platform = pkg.platform.manifest;

  it("has a platform package named after its folder, in step with its parent's version", () => {
    expect(platform.name).toBe(`${pkg.manifest.name}-${platformTriple()}`);
    expect(platform.version).toBe(pkg.manifest.version);
    expect(platform.private).toBeUndefined();
    expect(platform.license).toBe(pkg.manifest.license);
    expect(platform.engines).toEqual(pkg.manifest.engines);
  });

  it("restricts installs to its os, cpu and libc and ships only the addon, with no install script", () => {
    expect(platform).toMatchObject({ os: ["linux"], cpu: ["x64"], libc: ["glibc"] });
    expect(platform.main).toMatch(/^\w+\.node$/);
    expect(platform.files).toEqual([platform.main]);
    expect(platform.scripts).toBeUndefined();
    expect(platform.dependencies).toBeUndefined();
  });

  it("is filled by build:native with the parent's freshly built addon", () => {
    const main = platform.main ?? "";
    const shipped = readFileSync(join(repoRoot, pkg.platform.dir, main));
    const built = readFileSync(join(repoRoot, pkg.dir, "build", "Release", main));
    expect(shipped.equals(built)).toBe(true);
  });

  it("is an optional dependency of its parent and in the parent's changesets fixed group", () => {
    expect(pkg.manifest.optionalDependencies?.[platform.name]).toBe("workspace:*");
    const group = changesets.fixed.find((names) => names.includes(pkg.manifest.name));
    expect(group).toContain(platform.name);
  });
});
