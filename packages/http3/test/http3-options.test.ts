// http3() checks its options once, with messages that name the option.
import { describe, expect, it } from "vitest";
import { resolveHttp3Options } from "../src/http3-options.js";

const tls = { key: "KEY", cert: "CERT" };

describe("resolveHttp3Options", () => {
  it("defaults every limit", () => {
    expect(resolveHttp3Options({ tls })).toEqual({
      port: 8443,
      host: "0.0.0.0",
      key: "KEY",
      cert: "CERT",
      maxStreams: 100,
      streamWindow: 256 * 1024,
      connectionWindow: 1024 * 1024,
      idleTimeoutMs: 30_000,
      maxHeaderBytes: 16 * 1024,
      retry: 1,
      retryLoadThreshold: 256,
      maxConnections: 10_000,
      altSvcMaxAge: 86_400,
      ifUnavailable: "fail",
    });
  });

  it("maps retry modes and takes PEM buffers", () => {
    const o = resolveHttp3Options({
      tls: { key: Buffer.from("K"), cert: Buffer.from("C") },
      retry: "always",
    });
    expect([o.retry, o.key, o.cert]).toEqual([2, "K", "C"]);
    expect(resolveHttp3Options({ tls, retry: "never" }).retry).toBe(0);
  });

  it("refuses bad options with a message naming them", () => {
    expect(() => resolveHttp3Options({} as never)).toThrow(/tls: \{ key, cert \} is required/);
    expect(() => resolveHttp3Options({ tls, port: 70_000 })).toThrow(
      /port must be an integer between 0 and 65535/,
    );
    expect(() => resolveHttp3Options({ tls, maxStreams: 0 })).toThrow(/maxStreams/);
    expect(() => resolveHttp3Options({ tls, retry: "sometimes" as never })).toThrow(/retry must be/);
    expect(() => resolveHttp3Options({ tls, retryLoadThreshold: -1 })).toThrow(/retryLoadThreshold/);
    expect(() => resolveHttp3Options({ tls, earlyData: true as never })).toThrow(/0-RTT/);
    expect(() => resolveHttp3Options({ tls: { key: 1 as never, cert: "C" } })).toThrow(
      /tls.key must be a PEM/,
    );
    expect(() => resolveHttp3Options({ tls, ifUnavailable: "later" as never })).toThrow(/ifUnavailable/);
  });
});
