// The C++ head writer keeps its own copy of the reason phrases (a switch in response_head.cc, no
// JS on the hot path); this keeps it equal to core's REASON_PHRASES, which the node:http path uses.
import { readFileSync } from "node:fs";
import { REASON_PHRASES } from "@fasterapi/core";
import { describe, expect, it } from "vitest";

const source = readFileSync(new URL("../src/response_head.cc", import.meta.url), "utf8");

describe("reason phrases of the native head writer", () => {
  it("match core's REASON_PHRASES code for code", () => {
    const table = source.slice(source.indexOf("const char* reason_phrase(int status)"));
    const cases = table.slice(0, table.indexOf("default:"));
    const native: Record<number, string> = {};
    for (const [, code, phrase] of cases.matchAll(/case (\d{3}): return "([^"]*)";/g)) {
      native[Number(code)] = phrase as string;
    }
    expect(native).toEqual({ ...REASON_PHRASES });
  });
});
