// The RFC 9113 / 7541 conformance cases on the native path, held to the RFC (no recorded deviations).
import { http2 } from "../src/index.js";
import { defineConformanceSuite } from "./fixtures/conformance-runner.js";

defineConformanceSuite("native", (options) => http2({ ...options, native: true }), "rfc");
