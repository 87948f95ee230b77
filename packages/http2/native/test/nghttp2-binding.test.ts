// Which nghttp2 the addon runs on (README "Which nghttp2"): the node executable's own copy, the one
// process.versions.nghttp2 names, even with Debian's libnghttp2 preloaded; no libnghttp2 linked.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadHttp2Addon } from "../src/index.js";

const addonFile = fileURLToPath(new URL("../build/Release/fasterapi_http2.node", import.meta.url));
const debianLibrary = "/usr/lib/x86_64-linux-gnu/libnghttp2.so.14";

/** The file of the mapping in /proc/self/maps that holds `address`. */
function mappingOf(address: number): string | undefined {
  for (const line of readFileSync("/proc/self/maps", "utf8").split("\n")) {
    const [range, , , , , file] = line.split(/\s+/);
    const [from, to] = (range ?? "").split("-").map((hex) => Number.parseInt(hex, 16));
    if (from !== undefined && to !== undefined && address >= from && address < to) return file;
  }
  return undefined;
}

function dynamicSymbols(file: string, flag: "--defined-only" | "--undefined-only"): string[] {
  const out = execFileSync("nm", ["-D", flag, file], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  return [...out.matchAll(/\b(nghttp2_\w+)\b/g)].map((m) => m[1] as string);
}

describe("the nghttp2 the addon binds to", () => {
  it("is the node executable's copy", () => {
    const addon = loadHttp2Addon();
    expect(addon).not.toBeNull();
    expect(mappingOf(addon?.nghttp2Address() ?? 0)).toBe(realpathSync(process.execPath));
    expect(process.versions.nghttp2).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("stays the node executable's copy with Debian's libnghttp2 preloaded", () => {
    expect(existsSync(debianLibrary)).toBe(true);
    const probe = `
      const { readFileSync, realpathSync } = require("node:fs");
      const address = require(${JSON.stringify(addonFile)}).nghttp2Address();
      const maps = readFileSync("/proc/self/maps", "utf8").split("\\n").map((l) => l.split(/\\s+/));
      const hit = maps.find(([r]) => { const [a, b] = (r ?? "").split("-").map((h) => parseInt(h, 16)); return address >= a && address < b; });
      const preloaded = maps.some((m) => m[5] === realpathSync(${JSON.stringify(debianLibrary)}));
      console.log(JSON.stringify({ file: hit?.[5], exe: realpathSync(process.execPath), preloaded }));`;
    const seen = JSON.parse(
      execFileSync(process.execPath, ["-e", probe], {
        encoding: "utf8",
        env: { ...process.env, LD_PRELOAD: debianLibrary, NODE_OPTIONS: "" },
      }),
    );
    expect(seen.preloaded).toBe(true);
    expect(seen.file).toBe(seen.exe);
  });

  it("links no libnghttp2, and imports only symbols the node binary exports", () => {
    const dynamic = execFileSync("readelf", ["-d", addonFile], { encoding: "utf8" });
    expect(dynamic).toContain("(NEEDED)");
    expect(dynamic).not.toMatch(/libnghttp2/);
    const exported = new Set(dynamicSymbols(realpathSync(process.execPath), "--defined-only"));
    const imported = dynamicSymbols(addonFile, "--undefined-only");
    expect(imported.length).toBeGreaterThan(20);
    expect(imported.filter((name) => !exported.has(name))).toEqual([]);
  });
});
