// The shared HTTP/2 behaviour suite on the native path (@fasterapi/http2-native on the engine).
import { http2 } from "../src/index.js";
import { defineH2TransportSuite } from "./fixtures/h2-transport-suite.js";

defineH2TransportSuite("native", (options) => http2({ ...options, native: true }));
