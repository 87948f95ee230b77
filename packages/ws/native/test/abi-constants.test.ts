// The numbers JavaScript reads from the addon (src/abi-constants.ts) against their C++ source,
// src/ws_module.h, src/event_batch.h and src/handoff.h: parsed from the headers, so renumbering there without
// updating the mirror fails here.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as constants from "../src/abi-constants.js";

const header = (name: string) => readFileSync(new URL(`../src/${name}`, import.meta.url), "utf8");
const moduleHeader = header("ws_module.h");
const batchHeader = header("event_batch.h");
const handoffHeader = header("handoff.h");

/** `enum Name : type { kA = 1, kB = 2 }` -> { kA: 1, kB: 2 }. */
function enumValues(source: string, name: string): Record<string, number> {
  const match = new RegExp(`enum (?:class )?${name}\\b[^{]*\\{([^}]*)\\}`).exec(source);
  if (match === null) throw new Error(`enum ${name} is missing`);
  const values: Record<string, number> = {};
  for (const item of (match[1] as string).replace(/\/\/.*$/gm, "").split(",")) {
    const [key, value] = item.split("=").map((part) => part.trim());
    if (key) values[key] = Number(value);
  }
  return values;
}

function constexpr(source: string, name: string): number {
  const match = new RegExp(`constexpr \\w+ ${name} = (\\d+);`).exec(source);
  if (match === null) throw new Error(`${name} is missing`);
  return Number(match[1]);
}

describe("ws-native constants mirror the C++ headers", () => {
  it("event kinds and record size", () => {
    expect(enumValues(moduleHeader, "EventKind32")).toEqual({
      kEventOpen: constants.EVENT_OPEN,
      kEventMessage: constants.EVENT_MESSAGE,
      kEventPing: constants.EVENT_PING,
      kEventPong: constants.EVENT_PONG,
      kEventDrain: constants.EVENT_DRAIN,
      kEventClose: constants.EVENT_CLOSE,
    });
    expect(constexpr(batchHeader, "kEventWords")).toBe(constants.EVENT_WORDS);
  });

  it("send results", () => {
    expect(enumValues(moduleHeader, "SendResult")).toEqual({
      kSendClosed: constants.SEND_CLOSED,
      kSendOk: constants.SEND_OK,
      kSendBackpressure: constants.SEND_BACKPRESSURE,
      kSendDropped: constants.SEND_DROPPED,
    });
  });

  it("the hand-off blob", () => {
    expect(constexpr(handoffHeader, "kHandoffVersion")).toBe(constants.HANDOFF_VERSION);
    expect(constexpr(handoffHeader, "kHandoffSize")).toBe(constants.HANDOFF_SIZE);
    expect(enumValues(handoffHeader, "HandoffFlag")).toEqual({
      kHandoffDeflate: constants.HANDOFF_DEFLATE,
      kHandoffServerNoContextTakeover: constants.HANDOFF_SERVER_NO_CONTEXT_TAKEOVER,
      kHandoffClientNoContextTakeover: constants.HANDOFF_CLIENT_NO_CONTEXT_TAKEOVER,
    });
  });
});
