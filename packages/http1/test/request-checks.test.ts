// The JS path's RFC 9112 checks against the native parser's own specification: every case of
// http1-native's test/cases/headers.md and target.md whose verdict is about Host or the target is
// replayed through requestHeadViolation, fed what node:http would have parsed from the same bytes.
import { readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { requestHeadViolation } from "../src/request-checks.js";

interface SpecCase {
  name: string;
  bytes: string;
  result: string;
  error: string | undefined;
}

function specCases(file: string): SpecCase[] {
  const text = readFileSync(new URL(`../native/test/cases/${file}`, import.meta.url), "utf8");
  return text
    .split(/^## /m)
    .slice(1)
    .map((section) => {
      const http = /```http\n([\s\S]*?)\n```/.exec(section)?.[1] ?? "";
      const expectBlock = /```expect\n([\s\S]*?)\n```/.exec(section)?.[1] ?? "";
      return {
        name: section.slice(0, section.indexOf("\n")),
        bytes: http.replace(/\n/g, "").replace(/\\r/g, "\r").replace(/\\n/g, "\n").replace(/\\t/g, "\t"),
        result: /^result: (\w+)/m.exec(expectBlock)?.[1] ?? "",
        error: /^error: (\w+)/m.exec(expectBlock)?.[1],
      };
    });
}

/** The fields node:http fills from a request head (for heads llhttp accepts). */
function parsedByNode(bytes: string): IncomingMessage {
  const [line = "", ...fields] = bytes.slice(0, bytes.indexOf("\r\n\r\n")).split("\r\n");
  const [method, url, version = ""] = line.split(" ");
  const rawHeaders = fields.flatMap((field) => {
    const colon = field.indexOf(":");
    return [field.slice(0, colon), field.slice(colon + 1).trim()];
  });
  const [major, minor] = version.slice("HTTP/".length).split(".").map(Number);
  return { method, url, rawHeaders, httpVersionMajor: major, httpVersionMinor: minor } as IncomingMessage;
}

const verdicts: Record<string, number> = {
  bad_host: 400,
  duplicate_host: 400,
  missing_host: 400,
  bad_target: 400,
};

describe("requestHeadViolation follows the native parser's specification", () => {
  // Heads llhttp itself refuses never reach the check, and CONNECT's authority-form goes to node's
  // 'connect' event instead of 'request'.
  const cases = [...specCases("headers.md"), ...specCases("target.md")].filter(
    (c) =>
      /host/i.test(c.bytes) &&
      !/\\0|\\x|\{\{|^CONNECT /.test(c.bytes) &&
      (c.result === "ok" || (c.error !== undefined && c.error in verdicts)),
  );

  it("has Host and target cases to replay", () => {
    expect(cases.filter((c) => c.error === "bad_host").length).toBeGreaterThanOrEqual(8);
    expect(cases.filter((c) => c.error === "bad_target").length).toBeGreaterThanOrEqual(3);
  });

  for (const c of cases) {
    it(c.name, () => {
      expect(requestHeadViolation(parsedByNode(c.bytes))).toBe(
        c.result === "ok" ? 0 : verdicts[c.error as string],
      );
    });
  }
});
