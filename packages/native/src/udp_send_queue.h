// Datagrams a UDP endpoint's socket could not take yet, copied in order into one arena that is
// reserved once (at the first backpressure) and reused, never grown: when the queued bytes
// since the queue was last empty would pass kLimit, the rest of that send is dropped and
// counted instead. It only stores; the endpoint sends from it as the socket drains.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "fasterapi/engine_abi.h"
#include "udp_send_batch.h"

namespace fasterapi {

class UdpSendQueue {
 public:
  static constexpr size_t kLimit = 1024 * 1024;

  UdpSendQueue() = default;
  UdpSendQueue(const UdpSendQueue&) = delete;
  UdpSendQueue& operator=(const UdpSendQueue&) = delete;

  // Copies the unsent part of messages[0..n), from `from` on. Returns the datagrams dropped
  // because the queue was full (0 when everything fit).
  uint64_t append(const fa_udp_send* messages, size_t n, UdpSendBatch::Cursor from);

  bool empty() const { return head_.message >= messages_.size(); }
  size_t bytes() const;
  // The queued messages and the first unsent byte among them, for UdpSendBatch::send.
  const fa_udp_send* messages() const { return messages_.data(); }
  size_t size() const { return messages_.size(); }
  UdpSendBatch::Cursor* head() { return &head_; }
  // Forgets everything (sent or dropped); keeps the arena for next time.
  void clear();
  // Datagrams still queued (a train counts as its segments).
  uint64_t datagrams() const;

 private:
  std::unique_ptr<uint8_t[]> arena_;
  size_t used_ = 0;
  std::vector<fa_udp_send> messages_;
  UdpSendBatch::Cursor head_;
};

}  // namespace fasterapi
