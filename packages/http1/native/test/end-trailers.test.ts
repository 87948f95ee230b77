// end()'s trailers are checked by the addon itself, before it looks for the connection, so a
// trailer that could split the message or reframe it never reaches the wire even if a caller
// skipped core's reply.trailer() checks. Both argument forms are covered: with the NUL-joined
// string (the fast path) and without (element by element).
import { engineApi } from "@fasterapi/native";
import { describe, expect, it } from "vitest";
import { loadHttp1Addon } from "../src/http1-addon.js";
import { completeOptions, idleCallbacks } from "./fixtures/protocol-options.js";

describe("end() trailers", () => {
  const addon = loadHttp1Addon();
  const api = engineApi();
  if (addon === null || api === null)
    throw new Error("the http1 and engine addons must be built for this test");
  const protocol = addon.createProtocol(api, idleCallbacks, completeOptions);
  const noConnection = 424242;

  const refused: [string, string][] = [
    ["bad name", "x"],
    ["", "x"],
    ["x-split", "a\r\nx-injected: 1"],
    ["x-lf", "a\nb"],
    ["content-length", "1"],
    ["Transfer-Encoding", "chunked"],
    ["host", "elsewhere"],
    ["trailer", "x-a"],
  ];

  it.each(refused)("refuses %j: %j", (name, value) => {
    const message = `invalid response trailer "${name}": names must be tokens, values without CR, LF or NUL`;
    const fields = ["x-ok", "1", name, value];
    expect(() => protocol.end(noConnection, 0, fields, fields.join("\0"))).toThrow(new TypeError(message));
    expect(() => protocol.end(noConnection, 0, fields)).toThrow(new TypeError(message));
  });

  it("takes valid trailers (false: that connection is gone) and refuses a list that is not an array", () => {
    expect(
      protocol.end(noConnection, 0, ["x-sum", "5", "x-etag", '"a b"'], 'x-sum\x005\0x-etag\0"a b"'),
    ).toBe(false);
    expect(protocol.end(noConnection, 0)).toBe(false);
    expect(() => protocol.end(noConnection, 0, "x-sum" as unknown as string[])).toThrow(
      /must be a flat \[name, value, \.\.\.\] array/,
    );
  });
});
