import { X509Certificate } from "node:crypto";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { Engine } from "../src/index.js";
import { loadEchoFixture } from "./fixtures/echo-protocol.js";
import { collect, connectTls, waitFor } from "./fixtures/line-client.js";
import { type Pem, selfSigned } from "./fixtures/self-signed.js";

const echo = loadEchoFixture();
const engines: Engine[] = [];
let main: Pem;
let other: Pem;

beforeAll(() => {
  main = selfSigned("localhost");
  other = selfSigned("api.example.test");
});

afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close(0)));
});

function newEngine(): Engine {
  const engine = new Engine();
  engines.push(engine);
  return engine;
}

function subjectOf(cert: { raw: Buffer }): string {
  return new X509Certificate(cert.raw).subject;
}

describe("Engine TLS", () => {
  it("completes a handshake, negotiates ALPN http/1.1 and serves the protocol registered for it", async () => {
    const engine = newEngine();
    const http1 = echo.createProtocol(engine.api, { name: "http/1.1" });
    const port = await engine.listen({ host: "127.0.0.1", port: 0, tls: main }, http1);
    const socket = await connectTls(port, { ALPNProtocols: ["h2", "http/1.1"] });
    expect(socket.alpnProtocol).toBe("http/1.1");
    const done = collect(socket);
    socket.write("over tls\nquit\n");
    expect((await done).received).toBe("over tls\n");
    await waitFor(() => echo.protocolStats(http1).closed === 1);
    expect(echo.protocolStats(http1).lastAlpn).toBe("http/1.1");
    expect(engine.stats()).toMatchObject({ tlsHandshakes: 1, tlsErrors: 0 });
  });

  async function negotiated(
    port: number,
    offer: string[],
  ): Promise<{ alpn: string | false; echoed: string }> {
    const socket = await connectTls(port, { ALPNProtocols: offer });
    const done = collect(socket);
    socket.end("abc\n");
    return { alpn: socket.alpnProtocol ?? false, echoed: (await done).received };
  }

  it("picks by the listener's alpn preference order, whatever order the client offers", async () => {
    const engine = newEngine();
    const http1 = echo.createProtocol(engine.api, { name: "http/1.1" });
    const h2 = echo.createProtocol(engine.api, { name: "h2", upper: true });
    engine.registerProtocol(h2);
    const h2First = await engine.listen(
      { host: "127.0.0.1", port: 0, tls: main, alpn: ["h2", "http/1.1"] },
      http1,
    );
    const http1First = await engine.listen(
      { host: "127.0.0.1", port: 0, tls: main, alpn: ["http/1.1", "h2"] },
      http1,
    );
    for (const offer of [
      ["http/1.1", "h2"],
      ["h2", "http/1.1"],
    ]) {
      expect(await negotiated(h2First, offer)).toEqual({ alpn: "h2", echoed: "ABC\n" });
      expect(await negotiated(http1First, offer)).toEqual({ alpn: "http/1.1", echoed: "abc\n" });
    }
    expect(await negotiated(h2First, ["http/1.1"])).toEqual({ alpn: "http/1.1", echoed: "abc\n" });
  });

  it("prefers protocols in registration order without an alpn option, and skips unregistered ids", async () => {
    const engine = newEngine();
    const http1 = echo.createProtocol(engine.api, { name: "http/1.1" });
    const h2 = echo.createProtocol(engine.api, { name: "h2", upper: true });
    const port = await engine.listen({ host: "127.0.0.1", port: 0, tls: main }, http1);
    engine.registerProtocol(h2); // registered after http/1.1: no hard-coded h2 preference
    expect(await negotiated(port, ["h2", "http/1.1"])).toEqual({ alpn: "http/1.1", echoed: "abc\n" });
    expect(await negotiated(port, ["h2"])).toEqual({ alpn: "h2", echoed: "ABC\n" });
    const unknownFirst = await engine.listen(
      { host: "127.0.0.1", port: 0, tls: main, alpn: ["h3", "h2"] },
      http1,
    );
    expect(await negotiated(unknownFirst, ["h3", "http/1.1", "h2"])).toEqual({ alpn: "h2", echoed: "ABC\n" });
  });

  it("ends the handshake with no_application_protocol when the client offers nothing it serves", async () => {
    const engine = newEngine();
    const h2 = echo.createProtocol(engine.api, { name: "h2", upper: true });
    const port = await engine.listen({ host: "127.0.0.1", port: 0, tls: main, alpn: ["h2"] }, h2);
    await expect(connectTls(port, { ALPNProtocols: ["http/1.1"] })).rejects.toThrow(
      /no application protocol/i,
    );
    expect(await negotiated(port, ["http/1.1", "h2"])).toEqual({ alpn: "h2", echoed: "ABC\n" });
  });

  it("rejects an alpn option without TLS or with bad ids", async () => {
    const engine = newEngine();
    await expect(engine.listen({ host: "127.0.0.1", port: 0, alpn: ["h2"] })).rejects.toThrow(/TLS option/);
    await expect(engine.listen({ host: "127.0.0.1", port: 0, tls: main, alpn: [""] })).rejects.toThrow(
      TypeError,
    );
  });

  it("uses the listener's protocol when the client offers no ALPN or none we know", async () => {
    const engine = newEngine();
    const http1 = echo.createProtocol(engine.api, { name: "http/1.1" });
    const port = await engine.listen({ host: "127.0.0.1", port: 0, tls: main }, http1);
    for (const ALPNProtocols of [undefined, ["spdy/3"]]) {
      const socket = await connectTls(port, ALPNProtocols ? { ALPNProtocols } : {});
      expect(socket.alpnProtocol).toBe(false);
      const done = collect(socket);
      socket.end("plain\n");
      expect((await done).received).toBe("plain\n");
    }
  });

  it("picks the certificate by SNI, exact or wildcard, and falls back to the default one", async () => {
    const engine = newEngine();
    const proto = echo.createProtocol(engine.api, { name: "http/1.1" });
    const wildcard = selfSigned("wild.example.test");
    const port = await engine.listen(
      {
        host: "127.0.0.1",
        port: 0,
        tls: { ...main, sni: { "api.example.test": other, "*.wild.example.test": wildcard } },
      },
      proto,
    );
    const cases: Array<[string, string]> = [
      ["api.example.test", "CN=api.example.test"],
      ["API.Example.Test", "CN=api.example.test"],
      ["x.wild.example.test", "CN=wild.example.test"],
      ["unknown.test", "CN=localhost"],
    ];
    for (const [servername, subject] of cases) {
      const socket = await connectTls(port, { servername });
      expect(subjectOf(socket.getPeerCertificate())).toBe(subject);
      socket.destroy();
    }
  });

  it("moves large payloads through TLS intact in both directions", async () => {
    const engine = newEngine();
    const proto = echo.createProtocol(engine.api, { name: "http/1.1" });
    const port = await engine.listen({ host: "127.0.0.1", port: 0, tls: main }, proto);
    const socket = await connectTls(port);
    const lines = Array.from({ length: 4000 }, (_, i) => `${i}:${"z".repeat(500)}\n`).join("");
    const done = collect(socket);
    socket.write(lines);
    socket.end("quit\n");
    const result = await done;
    expect(result.received.length).toBe(lines.length);
    expect(result.received).toBe(lines);
  });

  it("counts a failed handshake and keeps serving", async () => {
    const engine = newEngine();
    const proto = echo.createProtocol(engine.api, { name: "http/1.1" });
    const port = await engine.listen({ host: "127.0.0.1", port: 0, tls: main }, proto);
    await expect(connectTls(port, { maxVersion: "TLSv1.1", minVersion: "TLSv1" })).rejects.toThrow();
    await waitFor(() => engine.stats().tlsErrors === 1);
    const socket = await connectTls(port);
    const done = collect(socket);
    socket.end("still here\n");
    expect((await done).received).toBe("still here\n");
  });

  it("rejects bad PEM and a key that does not match the certificate", async () => {
    const engine = newEngine();
    await expect(
      engine.listen({ host: "127.0.0.1", tls: { key: "nope", cert: main.cert } }),
    ).rejects.toMatchObject({ code: "ERR_FASTERAPI_TLS", message: /private key/ });
    await expect(
      engine.listen({ host: "127.0.0.1", tls: { key: main.key, cert: "nope" } }),
    ).rejects.toMatchObject({ code: "ERR_FASTERAPI_TLS", message: /certificate/ });
    await expect(
      engine.listen({ host: "127.0.0.1", tls: { key: other.key, cert: main.cert } }),
    ).rejects.toMatchObject({ code: "ERR_FASTERAPI_TLS", message: /does not match/ });
    expect(engine.stats().listeners).toBe(0);
  });
});
