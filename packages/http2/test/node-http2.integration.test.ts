// The shared HTTP/2 behaviour suite on the node:http2 path.
import { http2 } from "../src/index.js";
import { defineH2TransportSuite } from "./fixtures/h2-transport-suite.js";

defineH2TransportSuite("node:http2", (options) => http2({ ...options, native: false }), "node:http2");
