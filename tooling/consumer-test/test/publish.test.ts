// What a release uploads: exactly the public packages (every workspace package under packages/,
// none of apps/, benchmarks/ or tooling/), each with the files users need and nothing else:
// compiled dist/ (no sources, maps or build info), the engine's C ABI headers and build helper,
// and a .node only inside the prebuilt platform packages.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PackedPackage, packPublished, publishSet } from "./fixtures/pack.js";
import { addonPackages, type Manifest, workspacePackages } from "./fixtures/workspace.js";

const platformNames = new Set(addonPackages().map((pkg) => pkg.platform.manifest.name));
let scratch: string;
let packed: PackedPackage[];

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "fasterapi-publish-"));
  packed = packPublished(scratch);
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function packedManifest(pkg: PackedPackage): Manifest {
  return JSON.parse(
    execFileSync("tar", ["-xzOf", pkg.filename, "package/package.json"], { encoding: "utf8" }),
  );
}

describe("pnpm publish -r", () => {
  it("publishes every package under packages/ and nothing else", () => {
    const all = workspacePackages();
    const expected = all
      .filter(({ dir }) => dir.startsWith("packages/"))
      .map(({ manifest }) => `${manifest.name}@${manifest.version}`)
      .sort();
    expect(publishSet()).toEqual(expected);
    for (const { dir, manifest } of all.filter(({ dir }) => !dir.startsWith("packages/"))) {
      expect(manifest.private, `${dir} must stay private`).toBe(true);
    }
    for (const name of platformNames)
      expect(
        expected.some((id) => id.startsWith(`${name}@`)),
        name,
      ).toBe(true);
  });
});

describe("packed tarballs", () => {
  it("ship only the addon in platform packages", () => {
    for (const pkg of packed.filter(({ name }) => platformNames.has(name))) {
      expect(pkg.files).toEqual(["package.json", packedManifest(pkg).main].sort());
    }
  });

  it("ship compiled JavaScript, types and docs in every other package, and no addon", () => {
    const allowed =
      /^(package\.json|README\.md|CHANGELOG\.md|LICENSE|dist\/[\w/.-]+\.(js|d\.ts)|include\/fasterapi\/[\w.]+\.(h|md)|scripts\/build-native\.mjs)$/;
    for (const pkg of packed.filter(({ name }) => !platformNames.has(name))) {
      expect(
        pkg.files.filter((file) => !allowed.test(file)),
        pkg.name,
      ).toEqual([]);
      expect(pkg.files, pkg.name).toEqual(
        expect.arrayContaining(["README.md", "dist/index.js", "dist/index.d.ts"]),
      );
      expect(pkg.files.some((file) => file.startsWith("include/") || file.startsWith("scripts/"))).toBe(
        pkg.name === "@fasterapi/native",
      );
    }
  });

  it("carry real versions instead of workspace: ranges, the platform packages as optional dependencies, and no install scripts", () => {
    for (const pkg of packed) {
      const manifest = packedManifest(pkg);
      expect(JSON.stringify(manifest), pkg.name).not.toContain("workspace:");
      for (const script of ["preinstall", "install", "postinstall"]) {
        expect(manifest.scripts?.[script], `${pkg.name} ${script}`).toBeUndefined();
      }
    }
    for (const { manifest, platform } of addonPackages()) {
      const parent = packed.find(({ name }) => name === manifest.name)!;
      expect(packedManifest(parent).optionalDependencies?.[platform.manifest.name]).toBe(
        platform.manifest.version,
      );
    }
  });
});
