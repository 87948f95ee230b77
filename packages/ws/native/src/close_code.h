// Close codes (RFC 6455 section 7.4): the ones the parser reports, and which codes a peer may put
// on the wire. 1004-1006 and 1015 are reserved for reporting, never sent.
#pragma once

#include <cstdint>

namespace fasterapi::ws {

constexpr uint16_t kCloseNormal = 1000;
constexpr uint16_t kCloseGoingAway = 1001;
constexpr uint16_t kCloseProtocolError = 1002;
constexpr uint16_t kCloseNoStatus = 1005;   // reported when a close frame carries no code
constexpr uint16_t kCloseAbnormal = 1006;   // reported when the connection ends without a close frame
constexpr uint16_t kCloseInvalidPayload = 1007;
constexpr uint16_t kCloseTooBig = 1009;
constexpr uint16_t kCloseInternalError = 1011;

/** A code a peer may send in a close frame (the same set the `ws` library accepts). */
constexpr bool is_valid_wire_close_code(uint32_t code) {
  return (code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006) ||
         (code >= 3000 && code <= 4999);
}

}  // namespace fasterapi::ws
