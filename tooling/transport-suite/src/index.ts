// Test support for this workspace's transports, never published: one suite of core behaviour,
// the client interface it drives, the app it serves, and helpers the transports' own suites share.
export { defineCoreBehaviourSuite, type TransportUnderTest } from "./core-behaviour-suite.js";
export { curlExpectContinue } from "./curl-expect-continue.js";
export { deferred } from "./deferred.js";
export { connectOutcome, slowRoute } from "./graceful-close.js";
export { holdReading } from "./hold-reading.js";
export type {
  ClientCapabilities,
  ReadControl,
  SuiteClient,
  SuiteRequest,
  SuiteResponse,
} from "./suite-client.js";
