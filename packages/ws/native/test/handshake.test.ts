// The native handshake helpers: RFC 6455's accept example, RFC 7692 offer handling (first
// acceptable offer wins, bad or unknown parameters decline an offer) and the blob layout.
import { describe, expect, it } from "vitest";
import { acceptKey, HANDOFF_SIZE, handoffBlob, negotiateDeflate } from "../src/index.js";

describe("handshake helpers", () => {
  it("computes Sec-WebSocket-Accept (RFC 6455 section 1.3)", () => {
    expect(acceptKey("dGhlIHNhbXBsZSBub25jZQ==")).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });

  it("accepts permessage-deflate per mode and honours server_max_window_bits", () => {
    expect(negotiateDeflate("permessage-deflate; client_max_window_bits", "shared")?.response).toBe(
      "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
    );
    expect(negotiateDeflate("permessage-deflate; client_max_window_bits", "dedicated")?.response).toBe(
      "permessage-deflate",
    );
    const agreed = negotiateDeflate("permessage-deflate; server_max_window_bits=10", "dedicated");
    expect(agreed).toMatchObject({ serverMaxWindowBits: 10, serverNoContextTakeover: false });
    expect(agreed?.response).toBe("permessage-deflate; server_max_window_bits=10");
  });

  it("declines bad offers and takes the next acceptable one", () => {
    expect(negotiateDeflate("permessage-deflate; server_max_window_bits=7", "shared")).toBeUndefined();
    expect(negotiateDeflate("permessage-deflate; foo", "shared")).toBeUndefined();
    expect(negotiateDeflate("permessage-deflate; server_no_context_takeover=1", "shared")).toBeUndefined();
    expect(negotiateDeflate("x-webkit-deflate-frame", "shared")).toBeUndefined();
    expect(negotiateDeflate("permessage-deflate", "disabled")).toBeUndefined();
    expect(
      negotiateDeflate("permessage-deflate; client_max_window_bits=20, permessage-deflate", "dedicated")
        ?.response,
    ).toBe("permessage-deflate");
  });

  it("lays out the hand-off blob the module reads", () => {
    const deflate = negotiateDeflate("permessage-deflate; server_max_window_bits=12", "shared");
    const blob = handoffBlob(0x01020304, deflate);
    expect(blob.length).toBe(HANDOFF_SIZE);
    expect([...blob]).toEqual([1, 4, 3, 2, 1, 7, 12, 0]);
    expect([...handoffBlob(5, undefined)]).toEqual([1, 5, 0, 0, 0, 0, 0, 0]);
  });
});
