// Core's features over HTTP/3 (the native module; HTTP/3 has no JS twin) with two clients nobody
// here wrote: Debian's gtlsclient, and headless Chromium for the cases that need request headers
// of ours and content coding (gtlsclient sends neither).

import { afterAll } from "vitest";
import { defineCoreBehaviourSuite } from "../../../tooling/transport-suite/src/index.js";
import { http3 } from "../src/index.js";
import { makeCertificate } from "./fixtures/certificate.js";
import { chromiumSuiteClient } from "./fixtures/chromium-suite-client.js";
import { gtlsSuiteClient } from "./fixtures/gtls-suite-client.js";

const { key, cert, spki } = makeCertificate();
const chromium = chromiumSuiteClient(spki);
afterAll(() => chromium.close());

for (const [name, client] of [
  ["gtlsclient", gtlsSuiteClient],
  ["Chromium", chromium],
] as const) {
  defineCoreBehaviourSuite(`HTTP/3, ${name}`, {
    makePlugin: (options) => http3({ ...options, tls: { key, cert } }),
    client,
    protocol: "h3",
    statsKey: "http3",
    closesAfterRefusedBody: false,
  });
}
