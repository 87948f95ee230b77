// The shared WebSocket suite on the native path: the C++ engine's HTTP/1.1 module hands the
// upgraded connection to @fasterapi/ws-native's module.
import { http1 } from "@fasterapi/http1";
import { defineWebSocketSuite } from "./fixtures/ws-suite.js";

defineWebSocketSuite("native engine", (options) => http1({ ...options, native: true }));
