// WebSocket over TLS on the JS path: node:https hands its 'upgrade' requests over like node:http.
import { App } from "@fasterapi/core";
import { http1 } from "@fasterapi/http1";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
// The HTTP/1.1 package's throwaway certificate (openssl CLI), shared rather than copied.
import { selfSignedCert } from "../../http1/test/fixtures/self-signed-cert.js";
import { ws } from "../src/index.js";

describe("wss:// on node:https", () => {
  it("echoes over TLS with permessage-deflate", async () => {
    const app = new App({ logger: false, docs: false });
    app.register(http1({ port: 0, host: "127.0.0.1", tls: selfSignedCert(), native: false }));
    app.register(ws({ compression: "shared" }));
    app.websocket("/echo", {
      message(socket, data, isBinary) {
        socket.send(data, { binary: isBinary });
      },
    });
    try {
      const [address] = await app.listen();
      const client = new WebSocket(`wss://127.0.0.1:${address?.port}/echo`, { rejectUnauthorized: false });
      const echoed = await new Promise<string>((resolve, reject) => {
        client.once("open", () => client.send("over tls"));
        client.once("message", (data) => resolve(String(data)));
        client.once("error", reject);
      });
      expect(echoed).toBe("over tls");
      expect(client.extensions).toContain("permessage-deflate");
      client.close();
    } finally {
      await app.close();
    }
  });
});
