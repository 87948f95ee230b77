import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type EngineAddon,
  loadAddon,
  localAddonPaths,
  NativeAddonError,
  nativeAddons,
  nativeMode,
  platformPackage,
} from "../src/index.js";

const packageRoot = fileURLToPath(new URL("..", import.meta.url));
const saved = { native: process.env.FASTERAPI_NATIVE, sanitize: process.env.FASTERAPI_SANITIZE };
let scratch: string;

function restore(name: "FASTERAPI_NATIVE" | "FASTERAPI_SANITIZE", value: string | undefined) {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

beforeEach(() => {
  delete process.env.FASTERAPI_NATIVE;
  delete process.env.FASTERAPI_SANITIZE;
  scratch = mkdtempSync(join(tmpdir(), "fasterapi-loader-"));
  writeFileSync(join(scratch, "package.json"), '{"name":"consumer","private":true}');
});

afterEach(() => {
  restore("FASTERAPI_NATIVE", saved.native);
  restore("FASTERAPI_SANITIZE", saved.sanitize);
  rmSync(scratch, { recursive: true, force: true });
});

function logs(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(line) };
}

describe("loadAddon", () => {
  it("loads the local build from build/Release", () => {
    const { lines, log } = logs();
    const addon = loadAddon<EngineAddon>({ name: "fasterapi_engine", localBuildDir: packageRoot, log });
    expect(addon?.abiVersion).toBe(2);
    expect(typeof addon?.Engine).toBe("function");
    expect(lines).toEqual([]);
  });

  it("falls back to the prebuilt platform package resolved from the consumer", () => {
    const pkg = join(scratch, "node_modules", "@fasterapi", "demo-native-linux-x64-gnu");
    mkdirSync(pkg, { recursive: true });
    copyFileSync(join(packageRoot, "build", "Release", "fasterapi_engine.node"), join(pkg, "engine.node"));
    writeFileSync(
      join(pkg, "package.json"),
      '{"name":"@fasterapi/demo-native-linux-x64-gnu","main":"engine.node"}',
    );
    const addon = loadAddon<EngineAddon>({
      name: "fasterapi_engine",
      localBuildDir: scratch,
      prebuiltPackage: () => "@fasterapi/demo-native-linux-x64-gnu",
    });
    expect(addon?.abiVersion).toBe(2);
  });

  it("lists each loaded addon with its path and source in nativeAddons(), and no fallback", () => {
    const pkg = join(scratch, "node_modules", "@fasterapi", "records-native-linux-x64-gnu");
    mkdirSync(pkg, { recursive: true });
    copyFileSync(join(packageRoot, "build", "Release", "fasterapi_engine.node"), join(pkg, "records.node"));
    writeFileSync(
      join(pkg, "package.json"),
      '{"name":"@fasterapi/records-native-linux-x64-gnu","main":"records.node"}',
    );
    loadAddon({ name: "fasterapi_engine", localBuildDir: packageRoot });
    loadAddon({
      name: "records_prebuilt",
      localBuildDir: scratch,
      prebuiltPackage: "@fasterapi/records-native-linux-x64-gnu",
    });
    loadAddon({ name: "records_missing", localBuildDir: scratch, log: () => {} });
    const byName = new Map(nativeAddons().map((addon) => [addon.name, addon]));
    expect(byName.get("fasterapi_engine")).toEqual({
      name: "fasterapi_engine",
      path: join(packageRoot, "build", "Release", "fasterapi_engine.node"),
      source: "local",
    });
    expect(byName.get("records_prebuilt")).toEqual({
      name: "records_prebuilt",
      path: join(pkg, "records.node"),
      source: "prebuilt",
    });
    expect(byName.has("records_missing")).toBe(false);
  });

  it("returns null with exactly one log line naming the JS path when nothing is found", () => {
    const { lines, log } = logs();
    const addon = loadAddon({
      name: "missing_addon",
      localBuildDir: scratch,
      prebuiltPackage: "@fasterapi/missing-native-linux-x64-gnu",
      log,
    });
    expect(addon).toBeNull();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/missing_addon not found .*using the JS path/);
  });

  it("FASTERAPI_NATIVE=0 forces the JS path even when the addon exists", () => {
    process.env.FASTERAPI_NATIVE = "0";
    const { lines, log } = logs();
    expect(loadAddon({ name: "fasterapi_engine", localBuildDir: packageRoot, log })).toBeNull();
    expect(lines).toEqual([]);
  });

  it("FASTERAPI_NATIVE=1 turns a missing addon into an error", () => {
    process.env.FASTERAPI_NATIVE = "1";
    expect(() => loadAddon({ name: "missing_addon", localBuildDir: scratch })).toThrow(NativeAddonError);
    expect(() => loadAddon({ name: "missing_addon", localBuildDir: scratch })).toThrow(
      /FASTERAPI_NATIVE=1 but native addon missing_addon not found/,
    );
  });

  it("reports an addon that exists but cannot be loaded", () => {
    mkdirSync(join(scratch, "build", "Release"), { recursive: true });
    writeFileSync(join(scratch, "build", "Release", "broken.node"), "not an ELF file");
    const { lines, log } = logs();
    expect(loadAddon({ name: "broken", localBuildDir: scratch, log })).toBeNull();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/broken failed: .*broken\.node/);
    process.env.FASTERAPI_NATIVE = "1";
    expect(() => loadAddon({ name: "broken", localBuildDir: scratch })).toThrow(NativeAddonError);
  });

  it("looks only in build-sanitize/ when FASTERAPI_SANITIZE=1", () => {
    process.env.FASTERAPI_SANITIZE = "1";
    expect(localAddonPaths("x", "/pkg")).toEqual(["/pkg/build-sanitize/build/Release/x.node"]);
    delete process.env.FASTERAPI_SANITIZE;
    expect(localAddonPaths("x", "/pkg")).toEqual(["/pkg/build/Release/x.node"]);
  });
});

describe("nativeMode / platformPackage", () => {
  it("maps FASTERAPI_NATIVE to a mode", () => {
    expect(nativeMode({ FASTERAPI_NATIVE: "0" })).toBe("js");
    expect(nativeMode({ FASTERAPI_NATIVE: "1" })).toBe("require");
    expect(nativeMode({})).toBe("auto");
  });

  it("names the platform package for this machine", () => {
    expect(platformPackage("@fasterapi/native")).toBe(
      `@fasterapi/native-${process.platform}-${process.arch}-gnu`,
    );
  });
});
