// The numbers JavaScript reads from the addon (src/abi-constants.ts) against their C++ source,
// http1_module.h: parsed from the header, so renumbering an enum there without updating the
// mirror fails here. Every enumerator of the enums that exist only for JavaScript must be mirrored.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as constants from "../src/abi-constants.js";

const header = readFileSync(new URL("../src/http1_module.h", import.meta.url), "utf8");

/** `enum [class] Name : type { kA = 1, kB = 2 }` -> { kA: 1, kB: 2 }. */
function enumValues(name: string): Record<string, number> {
  const match = new RegExp(`enum (?:class )?${name}\\b[^{]*\\{([^}]*)\\}`).exec(header);
  if (match === null) throw new Error(`enum ${name} is not in http1_module.h`);
  const values: Record<string, number> = {};
  for (const item of (match[1] as string).replace(/\/\/.*$/gm, "").split(",")) {
    const [key, value] = item.split("=").map((part) => part.trim());
    if (key) values[key] = Number(value);
  }
  return values;
}

function constexpr(name: string): number {
  const match = new RegExp(`constexpr \\w+ ${name} = (\\d+);`).exec(header);
  if (match === null) throw new Error(`${name} is not in http1_module.h`);
  return Number(match[1]);
}

describe("http1-native constants mirror http1_module.h", () => {
  it("request flags: exactly the enumerators of RequestFlag", () => {
    expect(enumValues("RequestFlag")).toEqual({
      kFlagHasBody: constants.FLAG_HAS_BODY,
      kFlagPathNeedsSlash: constants.FLAG_PATH_NEEDS_SLASH,
      kFlagUpgrade: constants.FLAG_UPGRADE,
    });
  });

  it("body events: exactly the enumerators of BodyEvent", () => {
    expect(enumValues("BodyEvent")).toEqual({
      kBodyEnd: constants.BODY_END,
      kBodyLimit: constants.BODY_LIMIT,
      kBodyMalformed: constants.BODY_MALFORMED,
      kBodyAborted: constants.BODY_ABORTED,
    });
  });

  it("readBody results that JavaScript tells apart", () => {
    const results = enumValues("ReadBodyResult");
    expect(results.kGone).toBe(constants.READ_BODY_GONE);
    expect(results.kTooLarge).toBe(constants.READ_BODY_TOO_LARGE);
  });

  it("batch layout word counts", () => {
    expect(constexpr("kGroupHeaderWords")).toBe(constants.GROUP_HEADER_WORDS);
    expect(constexpr("kRecordFixedWords")).toBe(constants.RECORD_FIXED_WORDS);
  });

  it("mirrors nothing the header does not define", () => {
    const mirrored = Object.keys(constants).sort();
    expect(mirrored).toEqual([
      "BODY_ABORTED",
      "BODY_END",
      "BODY_LIMIT",
      "BODY_MALFORMED",
      "FLAG_HAS_BODY",
      "FLAG_PATH_NEEDS_SLASH",
      "FLAG_UPGRADE",
      "GROUP_HEADER_WORDS",
      "READ_BODY_GONE",
      "READ_BODY_TOO_LARGE",
      "RECORD_FIXED_WORDS",
    ]);
  });
});
