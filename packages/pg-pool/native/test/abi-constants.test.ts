// The close reason JavaScript compares against is the engine's: parsed from engine_abi.h, so a
// renumbered fa_close_reason fails here instead of misreporting socket errors.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CLOSE_REASON_ERROR } from "../src/pgwire-addon.js";

const abi = readFileSync(new URL("../../../native/include/fasterapi/engine_abi.h", import.meta.url), "utf8");

function enumerator(name: string): number {
  const match = new RegExp(`\\b${name}\\s*=\\s*(-?\\d+)`).exec(abi);
  if (match === null) throw new Error(`${name} is not defined in engine_abi.h`);
  return Number(match[1]);
}

describe("pg-pool-native constants", () => {
  it("CLOSE_REASON_ERROR is engine_abi.h's FA_CLOSE_REASON_ERROR", () => {
    expect(CLOSE_REASON_ERROR).toBe(enumerator("FA_CLOSE_REASON_ERROR"));
  });
});
