// The RFC 9113 / 7541 conformance cases on the node:http2 path, held to node's recorded deviations
// (conformance-cases.ts, nodeHttp2) where it departs from the RFC; the native path is held to the RFC.
import { http2 } from "../src/index.js";
import { defineConformanceSuite } from "./fixtures/conformance-runner.js";

defineConformanceSuite("node:http2", (options) => http2({ ...options, native: false }), "node:http2");
