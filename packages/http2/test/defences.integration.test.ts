// The HTTP/2 attack suite on the node:http2 path (node's own flood answers carry INTERNAL_ERROR).
import { http2 } from "../src/index.js";
import { defineDefenceSuite } from "./fixtures/defence-suite.js";

defineDefenceSuite("node:http2", (options) => http2({ ...options, native: false }), "node:http2");
