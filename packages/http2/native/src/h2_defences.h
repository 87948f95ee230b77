// Per-connection budgets against HTTP/2 floods: client resets (CVE-2023-44487, rapid reset; counted
// here rather than by nghttp2's own limit so the answer is ENHANCE_YOUR_CALM), resets the server
// sends in answer to invalid frames (CVE-2025-8671, "MadeYouReset", which nghttp2 does not bound),
// control frames that cost work but carry no request (SETTINGS, PING, PRIORITY, WINDOW_UPDATE,
// empty DATA) and header lists over the advertised limit (HPACK bombs). Each is a token bucket: a
// burst, refilled per second; the session ends with GOAWAY ENHANCE_YOUR_CALM once one runs dry.
#pragma once

#include <cstdint>
#include <ctime>

namespace fasterapi::http2 {

inline uint64_t monotonic_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000 + static_cast<uint64_t>(ts.tv_nsec) / 1000000;
}

class TokenBucket {
 public:
  void init(uint32_t burst, uint32_t per_second) {
    burst_ = tokens_ = burst;
    rate_ = per_second;
    last_ = monotonic_ms();
  }
  /** Takes one token; false when the budget is spent. */
  bool take() {
    const uint64_t now = monotonic_ms();
    if (now > last_) {
      const uint64_t refill = (now - last_) * rate_ / 1000;
      if (refill > 0) {
        tokens_ = tokens_ + refill > burst_ ? burst_ : static_cast<uint32_t>(tokens_ + refill);
        last_ = now;
      }
    }
    if (tokens_ == 0) return false;
    --tokens_;
    return true;
  }

 private:
  uint32_t burst_ = 0, tokens_ = 0, rate_ = 0;
  uint64_t last_ = 0;
};

/** Control frames a peer may send per second, and the burst above that. */
constexpr uint32_t kControlFramesPerSecond = 1000;
constexpr uint32_t kControlFrameBurst = 2000;
/** WINDOW_UPDATEs a client may bank by receiving DATA (see Defences::window_update_credit). */
constexpr uint32_t kWindowUpdateCreditCap = 1024;
/** Header lists over the limit a peer may send before the connection ends. */
constexpr uint32_t kOversizedHeaderBurst = 8;

struct Defences {
  TokenBucket client_resets;     // RST_STREAM frames the client sent (rapid reset)
  TokenBucket server_resets;     // RST_STREAM frames this server sent
  TokenBucket control_frames;    // SETTINGS, PING, PRIORITY, WINDOW_UPDATE, empty non-final DATA
  TokenBucket oversized_headers; // header lists over SETTINGS_MAX_HEADER_LIST_SIZE
  // A client with small windows answers every DATA frame it reads with WINDOW_UPDATEs (its
  // stream's and the connection's): those are earned, not a flood, and draw on this credit, two
  // per DATA frame sent, before the control-frame budget. A client sending WINDOW_UPDATEs for
  // nothing earns none, so the budget still ends a flood.
  uint32_t window_update_credit = 0;

  void earn_window_updates() {
    window_update_credit = window_update_credit + 2 > kWindowUpdateCreditCap ? kWindowUpdateCreditCap : window_update_credit + 2;
  }
  bool spend_window_update() {
    if (window_update_credit == 0) return false;
    --window_update_credit;
    return true;
  }

  void init(uint32_t resets_per_second) {
    client_resets.init(resets_per_second * 2, resets_per_second);
    server_resets.init(resets_per_second * 2, resets_per_second);
    control_frames.init(kControlFrameBurst, kControlFramesPerSecond);
    oversized_headers.init(kOversizedHeaderBurst, 1);
  }
};

}  // namespace fasterapi::http2
