// The shared HTTP/1.1 behaviour suite on the node:http path, plus HTTPS through a real App.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { App } from "@fasterapi/core";
import { describe, expect, it } from "vitest";
import { http1 } from "../src/index.js";
import { selfSignedCert } from "./fixtures/self-signed-cert.js";
import { defineTransportSuite } from "./fixtures/transport-suite.js";

defineTransportSuite("node:http", (options) => http1({ ...options, native: false }));

describe("HTTP/1.1 transport: node:https", () => {
  it("serves an App over HTTPS to curl when given tls", async () => {
    const { key, cert } = selfSignedCert();
    const app = new App({ logger: false });
    app.register(http1({ port: 0, host: "127.0.0.1", tls: { key, cert }, native: false }));
    app.get("/ping", () => "pong");
    try {
      const [address] = await app.listen();
      expect(address?.scheme).toBe("https");
      const { stdout } = await promisify(execFile)("curl", [
        "-s",
        "-i",
        "--insecure",
        "--http1.1",
        `https://127.0.0.1:${address?.port}/ping`,
      ]);
      expect(stdout).toMatch(/^HTTP\/1\.1 200 /);
      expect(stdout.endsWith("\r\n\r\npong")).toBe(true);
    } finally {
      await app.close();
    }
  });
});
