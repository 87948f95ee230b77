// Engine selection by the `native` option, and option checking at http1() call time. When the
// native engine's branch lands in select-transport.ts, the `native: true` case here changes with it.
import { App } from "@fasterapi/core";
import { describe, expect, it } from "vitest";
import { http1 } from "../src/index.js";
import { NodeHttp1Transport } from "../src/node-http1-transport.js";
import { selectTransport } from "../src/select-transport.js";

describe("selectTransport", () => {
  it("selects the node:http transport for native: false and native: 'auto'", () => {
    expect(selectTransport({ native: false })).toBeInstanceOf(NodeHttp1Transport);
    expect(selectTransport({ native: "auto" })).toBeInstanceOf(NodeHttp1Transport);
    expect(selectTransport()).toBeInstanceOf(NodeHttp1Transport);
  });

  it("refuses native: true with a clear error while no native engine is wired in", async () => {
    expect(() => selectTransport({ native: true })).toThrow(/native HTTP\/1\.1 engine/);
    const app = new App({ logger: false });
    app.register(http1({ port: 0, native: true }));
    await expect(app.ready()).rejects.toThrow(/native HTTP\/1\.1 engine/);
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
