// Option checking at plugin creation: defaults, and a clear error naming each bad option.
import { App } from "@fasterapi/core";
import { describe, expect, it } from "vitest";
import { http2, resolveHttp2Options } from "../src/index.js";

describe("http2 options", () => {
  it("applies the defaults for h2c and for TLS", () => {
    const h2c = resolveHttp2Options({ h2c: true });
    expect(h2c).toMatchObject({
      port: 8080,
      host: "0.0.0.0",
      allowHTTP1: false,
      maxConcurrentStreams: 128,
      initialWindowSize: 65_535,
      maxFrameSize: 16_384,
      maxHeaderListSize: 16_384,
      headerTableSize: 4096,
      native: "auto",
    });
    const tls = resolveHttp2Options({ tls: { key: "k", cert: "c" } });
    expect([tls.port, tls.allowHTTP1]).toEqual([8443, true]);
  });

  it("needs exactly one of tls and h2c", () => {
    expect(() => http2({})).toThrow(/exactly one of "tls"/);
    expect(() => http2({ h2c: true, tls: { key: "k", cert: "c" } })).toThrow(/exactly one of "tls"/);
  });

  it.each([
    [{ maxFrameSize: 1000 }, /"maxFrameSize" must be an integer from 16384 to 16777215/],
    [{ initialWindowSize: 2 ** 31 }, /"initialWindowSize"/],
    [{ connectionWindowSize: 100 }, /"connectionWindowSize"/],
    [{ maxConcurrentStreams: 0 }, /"maxConcurrentStreams"/],
    [{ port: 70_000 }, /"port"/],
    [{ settingsTimeoutMs: 0 }, /"settingsTimeoutMs"/],
    [{ native: "yes" as never }, /"native" must be true, false or "auto"/],
  ])("refuses %o", (bad, message) => {
    expect(() => http2({ h2c: true, ...bad })).toThrow(message);
  });

  it("refuses tls without a certificate", () => {
    expect(() => http2({ tls: { key: "k" } as never })).toThrow(/needs both "key" and "cert"/);
  });

  it("fails when the app loads its plugins if the native engine is demanded but not available", async () => {
    // FASTERAPI_NATIVE=0 makes the addons unavailable here, as on a machine without them.
    const previous = process.env.FASTERAPI_NATIVE;
    process.env.FASTERAPI_NATIVE = "0";
    try {
      const app = new App({ logger: false });
      app.register(http2({ port: 0, host: "127.0.0.1", h2c: true, native: true }));
      await expect(app.listen()).rejects.toThrow(/@fasterapi\/http2-native/);
      await app.close();
    } finally {
      if (previous === undefined) delete process.env.FASTERAPI_NATIVE;
      else process.env.FASTERAPI_NATIVE = previous;
    }
  });
});
