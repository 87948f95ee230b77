// See udp_send_queue.h.
#include "udp_send_queue.h"

#include <cstring>

namespace fasterapi {
namespace {

uint64_t datagrams_in(const fa_udp_send& m, size_t offset) {
  const size_t rest = m.len - offset;
  if (m.segment_size == 0 || rest == 0) return 1;
  return (rest + m.segment_size - 1) / m.segment_size;
}

}  // namespace

uint64_t UdpSendQueue::append(const fa_udp_send* messages, size_t n, UdpSendBatch::Cursor from) {
  if (!arena_) arena_.reset(new uint8_t[kLimit]);
  uint64_t dropped = 0;
  for (size_t i = from.message; i < n; i++) {
    const size_t offset = i == from.message ? from.offset : 0;
    const fa_udp_send& m = messages[i];
    const size_t len = m.len - offset;
    if (dropped > 0 || used_ + len > kLimit) {
      // Tail drop: once one message does not fit, later ones of this send do not jump it.
      dropped += datagrams_in(m, offset);
      continue;
    }
    fa_udp_send copy = m;
    copy.data = arena_.get() + used_;
    copy.len = len;
    if (len > 0) std::memcpy(arena_.get() + used_, m.data + offset, len);
    used_ += len;
    messages_.push_back(copy);
  }
  return dropped;
}

size_t UdpSendQueue::bytes() const {
  if (empty()) return 0;
  const fa_udp_send& m = messages_[head_.message];
  return used_ - static_cast<size_t>(m.data + head_.offset - arena_.get());
}

uint64_t UdpSendQueue::datagrams() const {
  uint64_t count = 0;
  for (size_t i = head_.message; i < messages_.size(); i++) {
    count += datagrams_in(messages_[i], i == head_.message ? head_.offset : 0);
  }
  return count;
}

void UdpSendQueue::clear() {
  messages_.clear();
  used_ = 0;
  head_ = {};
}

}  // namespace fasterapi
