// The addon's createProtocol takes every option resolved (the defaults live in @fasterapi/http1's
// option resolver, in one place): a missing or malformed option is a TypeError naming it.
import { engineApi } from "@fasterapi/native";
import { describe, expect, it } from "vitest";
import { type Http1ProtocolOptions, loadHttp1Addon } from "../src/http1-addon.js";
import { idleCallbacks as callbacks, completeOptions as complete } from "./fixtures/protocol-options.js";

describe("createProtocol options", () => {
  const addon = loadHttp1Addon();
  const api = engineApi();
  if (addon === null || api === null)
    throw new Error("the http1 and engine addons must be built for this test");

  it("accepts a complete set of options", () => {
    const module = addon.createProtocol(api, callbacks, complete);
    expect(module.stats()).toMatchObject({ connections: 0, requests: 0 });
  });

  it.each(Object.keys(complete))("refuses options without %s", (name) => {
    const options = { ...complete } as Record<string, number>;
    delete options[name];
    expect(() => addon.createProtocol(api, callbacks, options as unknown as Http1ProtocolOptions)).toThrow(
      new TypeError(`createProtocol: options.${name} must be a non-negative integer`),
    );
  });

  it("refuses negative, fractional and non-number values", () => {
    for (const value of [-1, 1.5, "5", Number.NaN]) {
      const options = { ...complete, keepAliveTimeoutMs: value } as unknown as Http1ProtocolOptions;
      expect(() => addon.createProtocol(api, callbacks, options)).toThrow(TypeError);
    }
  });
});
