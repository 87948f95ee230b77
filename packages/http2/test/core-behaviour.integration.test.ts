// Core's features over HTTP/2 with Node's http2 client, on both engines (node:http2 and the
// native module) and both ways in: h2c with prior knowledge and h2 over TLS (ALPN).
import { defineCoreBehaviourSuite } from "../../../tooling/transport-suite/src/index.js";
import { selfSignedCert } from "../../http1/test/fixtures/self-signed-cert.js";
import { http2 } from "../src/index.js";
import { h2SuiteClient } from "./fixtures/h2-suite-client.js";

const tls = selfSignedCert();

for (const native of [false, true]) {
  for (const overTls of [false, true]) {
    defineCoreBehaviourSuite(
      `HTTP/2 ${overTls ? "over TLS" : "h2c"}, ${native ? "native module" : "node:http2"}`,
      {
        makePlugin: (options) => http2({ ...options, native, ...(overTls ? { tls } : { h2c: true }) }),
        client: h2SuiteClient({ tls: overTls }),
        protocol: "h2",
        statsKey: "http2",
        closesAfterRefusedBody: false,
      },
    );
  }
}
