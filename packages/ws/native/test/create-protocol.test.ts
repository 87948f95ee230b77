// The addon's JS surface refuses bad input with a clear TypeError instead of crashing: options
// (every one resolved by @fasterapi/ws), the engine table, callbacks and method arguments; a
// handle that names no socket is "closed", never a crash.
import { engineApi } from "@fasterapi/native";
import { describe, expect, it } from "vitest";
import { SEND_CLOSED } from "../src/abi-constants.js";
import { loadWsAddon, type WsProtocolOptions } from "../src/ws-addon.js";

const callbacks = { onEvents() {} };
const complete: WsProtocolOptions = {
  maxPayload: 16 * 1024 * 1024,
  idleTimeoutMs: 120_000,
  maxBackpressure: 1024 * 1024,
  closeOnBackpressureLimit: false,
  dedicatedCompressor: false,
};

describe("createProtocol", () => {
  const addon = loadWsAddon();
  const api = engineApi();
  if (addon === null || api === null) throw new Error("the ws and engine addons must be built for this test");

  it("creates a module with empty stats", () => {
    const ws = addon.createProtocol(api, callbacks, complete);
    expect(ws.stats()).toEqual({
      open: 0,
      messagesIn: 0,
      messagesOut: 0,
      bytesIn: 0,
      bytesOut: 0,
      dropped: 0,
    });
  });

  it.each(["maxPayload", "idleTimeoutMs", "maxBackpressure"])("refuses a missing or negative %s", (name) => {
    const without = { ...complete } as Record<string, unknown>;
    delete without[name];
    expect(() => addon.createProtocol(api, callbacks, without as unknown as WsProtocolOptions)).toThrow(
      new RegExp(`options\\.${name} must be an integer`),
    );
    expect(() => addon.createProtocol(api, callbacks, { ...complete, [name]: -1 })).toThrow(TypeError);
  });

  it("refuses a maxPayload its 32-bit event offsets cannot carry", () => {
    expect(() => addon.createProtocol(api, callbacks, { ...complete, maxPayload: 2 ** 31 })).toThrow(
      /maxPayload must be an integer from 0 to 2147483647/,
    );
  });

  it("refuses something that is not the engine table, and missing callbacks", () => {
    expect(() => addon.createProtocol({} as never, callbacks, complete)).toThrow(/engineApi/);
    expect(() => addon.createProtocol(api, {} as never, complete)).toThrow(
      /callbacks\.onEvents must be a function/,
    );
  });

  it("answers unknown handles as closed and refuses bad arguments", () => {
    const ws = addon.createProtocol(api, callbacks, complete);
    expect(ws.send(12345, "x", false, false)).toBe(SEND_CLOSED);
    expect(ws.subscribe(12345, "room")).toBe(false);
    expect(ws.bufferedAmount(-1)).toBe(0);
    expect(ws.publish("nobody", "x", false, true, -1)).toBe(0);
    expect(() => ws.send(0, 42 as never, false, false)).toThrow(/payload must be a Buffer or a string/);
    expect(() => ws.subscribe(0, 7 as never)).toThrow(/topic must be a string/);
    expect(() => ws.publish(undefined as never, "x", false, false, -1)).toThrow(/topic must be a string/);
  });
});
