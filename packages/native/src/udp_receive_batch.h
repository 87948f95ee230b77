// The receive side of a UDP endpoint: a fixed set of slots (allocated once per endpoint, so no
// allocation per datagram) filled by one recvmmsg, and the parsing of each datagram's peer,
// destination address (PKTINFO) and ECN bits into fa_udp_datagram. Truncated datagrams (longer
// than a slot) are left out and counted. It knows nothing of libuv or of the module.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "fasterapi/engine_abi.h"

namespace fasterapi {

class UdpReceiveBatch {
 public:
  static constexpr size_t kSlots = 64;

  UdpReceiveBatch(size_t slot_size, const fa_udp_addr& bound);
  UdpReceiveBatch(const UdpReceiveBatch&) = delete;
  UdpReceiveBatch& operator=(const UdpReceiveBatch&) = delete;

  struct Result {
    size_t received = 0;   // datagrams the kernel handed over (0: nothing waiting or an error)
    size_t delivered = 0;  // of those, complete ones now in datagrams()
    size_t truncated = 0;
    uint64_t bytes = 0;    // payload bytes of the delivered ones
  };

  // One recvmmsg on the non-blocking `fd`.
  Result receive(int fd);
  const fa_udp_datagram* datagrams() const { return out_; }

 private:
  static constexpr size_t kControlSize = 128;  // PKTINFO (v4 or v6) + TOS/TCLASS
  void parse_control(msghdr* hdr, fa_udp_datagram* out) const;

  size_t slot_size_;
  fa_udp_addr bound_;  // the fallback local address, and the local port of every datagram
  std::unique_ptr<uint8_t[]> slots_;
  mmsghdr msgs_[kSlots];
  iovec iov_[kSlots];
  fa_udp_addr peers_[kSlots];
  alignas(cmsghdr) uint8_t control_[kSlots][kControlSize];
  fa_udp_datagram out_[kSlots];
};

}  // namespace fasterapi
