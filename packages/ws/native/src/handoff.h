// The hand-off blob an HTTP/1.1 Upgrade passes with conn_handover: who the socket is for on the
// JS side (a token the backend chose) and the permessage-deflate parameters the 101 response
// agreed. Built by handoffBlob (src/handshake.ts), read by on_handover.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fasterapi::ws {

constexpr uint8_t kHandoffVersion = 1;
constexpr size_t kHandoffSize = 8;  // version, token (u32 LE), flags, server max window bits, 0 (reserved)

enum HandoffFlag : uint8_t {
  kHandoffDeflate = 1,
  kHandoffServerNoContextTakeover = 2,
  kHandoffClientNoContextTakeover = 4,
};

struct Handoff {
  uint32_t token = 0;
  bool deflate = false;
  bool server_no_context_takeover = false;
  bool client_no_context_takeover = false;
  uint8_t server_max_window_bits = 15;
};

/** Reads a blob; false when it is not one this module understands. */
inline bool parse_handoff(const uint8_t* data, size_t len, Handoff& out) {
  if (data == nullptr || len != kHandoffSize || data[0] != kHandoffVersion) return false;
  out.token = static_cast<uint32_t>(data[1]) | (static_cast<uint32_t>(data[2]) << 8) |
              (static_cast<uint32_t>(data[3]) << 16) | (static_cast<uint32_t>(data[4]) << 24);
  const uint8_t flags = data[5];
  out.deflate = (flags & kHandoffDeflate) != 0;
  out.server_no_context_takeover = (flags & kHandoffServerNoContextTakeover) != 0;
  out.client_no_context_takeover = (flags & kHandoffClientNoContextTakeover) != 0;
  out.server_max_window_bits = data[6];
  if (out.deflate && (out.server_max_window_bits < 8 || out.server_max_window_bits > 15)) return false;
  return true;
}

}  // namespace fasterapi::ws
