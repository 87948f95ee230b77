// Engine selection by the `native` option and FASTERAPI_NATIVE, and option checking at http1() call time.
import { App } from "@fasterapi/core";
import { describe, expect, it } from "vitest";
import { http1, NativeHttp1Transport, nativeHttp1Available } from "../src/index.js";
import { NodeHttp1Transport } from "../src/node-http1-transport.js";
import { selectTransport } from "../src/select-transport.js";

describe("selectTransport", () => {
  it("selects the node:http transport for native: false", () => {
    expect(selectTransport({ native: false })).toBeInstanceOf(NodeHttp1Transport);
  });

  it("selects the C++ engine for native: 'auto' and true when its addons are built", () => {
    expect(nativeHttp1Available()).toBe(true);
    expect(selectTransport({ native: "auto" })).toBeInstanceOf(NativeHttp1Transport);
    expect(selectTransport()).toBeInstanceOf(NativeHttp1Transport);
    expect(selectTransport({ native: true })).toBeInstanceOf(NativeHttp1Transport);
  });

  it("falls back to node:http under FASTERAPI_NATIVE=0, and refuses native: true there", async () => {
    const saved = process.env.FASTERAPI_NATIVE;
    process.env.FASTERAPI_NATIVE = "0";
    try {
      expect(selectTransport()).toBeInstanceOf(NodeHttp1Transport);
      expect(() => selectTransport({ native: true })).toThrow(/needs the native HTTP\/1\.1 addons/);
      const app = new App({ logger: false });
      app.register(http1({ port: 0, native: true }));
      await expect(app.ready()).rejects.toThrow(/needs the native HTTP\/1\.1 addons/);
    } finally {
      if (saved === undefined) delete process.env.FASTERAPI_NATIVE;
      else process.env.FASTERAPI_NATIVE = saved;
    }
  });
});

describe("http1()", () => {
  it("rejects invalid options when called, naming the option", () => {
    expect(() => http1({ port: -1 })).toThrow(/"port"/);
    expect(() => http1({ maxHeaderBytes: 0 })).toThrow(/"maxHeaderBytes"/);
    expect(() => http1({ native: "yes" as unknown as boolean })).toThrow(/"native"/);
    expect(() => http1({ tls: { key: "k" } as never })).toThrow(/"tls"/);
  });
});
