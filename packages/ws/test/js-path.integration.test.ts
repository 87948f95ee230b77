// The shared WebSocket suite on the JS path: node:http's 'upgrade' event and the ws library.
import { http1 } from "@fasterapi/http1";
import { defineWebSocketSuite } from "./fixtures/ws-suite.js";

defineWebSocketSuite("node:http + ws", (options) => http1({ ...options, native: false }));
