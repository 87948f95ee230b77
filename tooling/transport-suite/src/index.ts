// Test support for this workspace's transports, never published: one suite of core behaviour,
// the client interface it drives, and the app it serves.
export { defineCoreBehaviourSuite, type TransportUnderTest } from "./core-behaviour-suite.js";
export { holdReading } from "./hold-reading.js";
export type {
  ClientCapabilities,
  ReadControl,
  SuiteClient,
  SuiteRequest,
  SuiteResponse,
} from "./suite-client.js";
