// Core's features over HTTP/3 (the native module; HTTP/3 has no JS twin) with Debian's gtlsclient.
import { defineCoreBehaviourSuite } from "@fasterapi/transport-suite";
import { http3 } from "../src/index.js";
import { makeCertificate } from "./fixtures/certificate.js";
import { gtlsSuiteClient } from "./fixtures/gtls-suite-client.js";

const { key, cert } = makeCertificate();

defineCoreBehaviourSuite("HTTP/3, gtlsclient", {
  makePlugin: (options) => http3({ ...options, tls: { key, cert } }),
  client: gtlsSuiteClient,
  protocol: "h3",
  statsKey: "http3",
  closesAfterRefusedBody: false,
});
