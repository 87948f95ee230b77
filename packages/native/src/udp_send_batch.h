// The send side of a UDP endpoint: turns fa_udp_send messages into sendmmsg calls of up to
// kBatch datagrams, with per-message control data (UDP_SEGMENT for GSO trains, source address,
// ECN). Without GSO it cuts a train into its datagrams itself; if the kernel refuses a GSO send
// with EIO (no checksum offload on the route) it turns GSO off for the endpoint and cuts.
// It stops at the first EAGAIN and says where: queueing the rest is the endpoint's business.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>

#include "fasterapi/engine_abi.h"

namespace fasterapi {

class UdpSendBatch {
 public:
  static constexpr size_t kBatch = 64;

  // The first byte not yet sent: messages[message].data + offset (offset is a segment boundary).
  struct Cursor {
    size_t message = 0;
    size_t offset = 0;
  };

  struct Outcome {
    uint64_t datagrams = 0;  // handed to the kernel
    uint64_t bytes = 0;
    uint64_t errors = 0;     // datagrams the kernel refused (skipped)
  };

  // Sends messages[cursor..n) on the non-blocking `fd` and advances *cursor. Returns true when
  // everything was sent (or refused), false when the socket is full. *gso may be switched off.
  bool send(int fd, const fa_udp_send* messages, size_t n, bool* gso, Cursor* cursor,
            Outcome* outcome);

 private:
  static constexpr size_t kControlSize = 96;  // UDP_SEGMENT + PKTINFO + TOS/TCLASS

  struct Entry {
    size_t message;
    size_t offset;
    size_t len;
    size_t datagrams;
  };

  // Fills hdrs_/entries_ from *cursor; returns how many entries.
  size_t build(const fa_udp_send* messages, size_t n, bool gso, Cursor cursor);
  void set_control(msghdr* hdr, uint8_t* control, const fa_udp_send& m, uint16_t segment) const;

  mmsghdr hdrs_[kBatch];
  iovec iov_[kBatch];
  Entry entries_[kBatch];
  alignas(cmsghdr) uint8_t control_[kBatch][kControlSize];
};

}  // namespace fasterapi
