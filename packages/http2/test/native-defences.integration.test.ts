// The HTTP/2 attack suite on the native path: every flood ends with ENHANCE_YOUR_CALM.
import { http2 } from "../src/index.js";
import { defineDefenceSuite } from "./fixtures/defence-suite.js";

defineDefenceSuite("native", (options) => http2({ ...options, native: true }));
