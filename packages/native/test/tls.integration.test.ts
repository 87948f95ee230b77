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

  it("prefers h2 when a module is registered for it and the client offers it", async () => {
    const engine = newEngine();
    const http1 = echo.createProtocol(engine.api, { name: "http/1.1" });
    const h2 = echo.createProtocol(engine.api, { name: "h2", upper: true });
    engine.registerProtocol(h2);
    const port = await engine.listen({ host: "127.0.0.1", port: 0, tls: main }, http1);

    const both = await connectTls(port, { ALPNProtocols: ["http/1.1", "h2"] });
    expect(both.alpnProtocol).toBe("h2");
    const bothDone = collect(both);
    both.end("abc\n");
    expect((await bothDone).received).toBe("ABC\n");

    const onlyHttp1 = await connectTls(port, { ALPNProtocols: ["http/1.1"] });
    expect(onlyHttp1.alpnProtocol).toBe("http/1.1");
    const http1Done = collect(onlyHttp1);
    onlyHttp1.end("abc\n");
    expect((await http1Done).received).toBe("abc\n");
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
