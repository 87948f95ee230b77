// The UDP endpoints of one engine: binding them, their engine-wide counters, and closing them
// with the engine (graceful close asks each module, grace expiry and teardown close at once).
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "fasterapi/engine_abi.h"
#include "udp_socket.h"

namespace fasterapi {

class Engine;
class UdpEndpoint;

struct UdpStats {
  uint64_t datagrams_in = 0;
  uint64_t bytes_in = 0;
  uint64_t datagrams_out = 0;
  uint64_t bytes_out = 0;
  uint64_t truncated = 0;     // longer than the receive slot: dropped
  uint64_t send_errors = 0;   // refused by the kernel (e.g. unreachable network)
  uint64_t send_dropped = 0;  // the send queue was full, or the endpoint closed with a queue
};

class UdpEndpoints {
 public:
  explicit UdpEndpoints(Engine* engine) : engine_(engine) {}
  UdpEndpoints(const UdpEndpoints&) = delete;
  UdpEndpoints& operator=(const UdpEndpoints&) = delete;

  // Returns the bound port, or -1 with *error set.
  int bind(const UdpBindOptions& options, fa_udp_protocol* proto, std::string* error);

  void shutdown_all();                      // engine close()
  void close_all(fa_close_reason reason);   // grace expiry, teardown
  bool empty() const { return head_ == nullptr; }
  size_t count() const { return count_; }
  UdpStats& stats() { return stats_; }
  const UdpStats& stats() const { return stats_; }
  Engine* engine() const { return engine_; }

  // From a closed endpoint, which is deleted first; may free the engine (teardown).
  void gone(UdpEndpoint* endpoint);

 private:
  Engine* engine_;
  UdpEndpoint* head_ = nullptr;
  size_t count_ = 0;
  UdpStats stats_;
};

void udp_protocol_retain(fa_udp_protocol* proto);
void udp_protocol_release(fa_udp_protocol* proto);

}  // namespace fasterapi
