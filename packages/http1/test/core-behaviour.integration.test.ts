// Core's features over HTTP/1.1 with Node's http client, on both engines: the node:http path and
// the native module on the engine.
import { defineCoreBehaviourSuite } from "../../../tooling/transport-suite/src/index.js";
import { http1 } from "../src/index.js";
import { http1SuiteClient } from "./fixtures/http1-suite-client.js";

for (const native of [false, true]) {
  defineCoreBehaviourSuite(native ? "HTTP/1.1, native engine" : "HTTP/1.1, node:http", {
    makePlugin: (options) => http1({ ...options, native }),
    client: http1SuiteClient,
    protocol: "http/1.1",
    statsKey: "http1",
    closesAfterRefusedBody: true,
  });
}
