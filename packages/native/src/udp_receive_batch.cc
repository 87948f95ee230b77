// See udp_receive_batch.h.
#include "udp_receive_batch.h"

#include <netinet/in.h>

#include <cerrno>
#include <cstring>

namespace fasterapi {

UdpReceiveBatch::UdpReceiveBatch(size_t slot_size, const fa_udp_addr& bound)
    : slot_size_(slot_size), bound_(bound), slots_(new uint8_t[slot_size * kSlots]) {
  std::memset(msgs_, 0, sizeof msgs_);
  for (size_t i = 0; i < kSlots; i++) {
    iov_[i] = {slots_.get() + i * slot_size_, slot_size_};
    msgs_[i].msg_hdr.msg_iov = &iov_[i];
    msgs_[i].msg_hdr.msg_iovlen = 1;
    msgs_[i].msg_hdr.msg_name = &peers_[i];
    msgs_[i].msg_hdr.msg_control = control_[i];
  }
}

UdpReceiveBatch::Result UdpReceiveBatch::receive(int fd) {
  for (mmsghdr& m : msgs_) {
    // The kernel shrinks these to what it filled in: give every slot its full room back.
    m.msg_hdr.msg_namelen = sizeof(fa_udp_addr);
    m.msg_hdr.msg_controllen = kControlSize;
    m.msg_hdr.msg_flags = 0;
  }
  int n;
  do {
    n = recvmmsg(fd, msgs_, kSlots, 0, nullptr);
  } while (n < 0 && errno == EINTR);
  Result result;
  if (n <= 0) return result;  // EAGAIN: drained; other errors: try again on the next event
  result.received = static_cast<size_t>(n);
  for (size_t i = 0; i < result.received; i++) {
    msghdr* hdr = &msgs_[i].msg_hdr;
    if ((hdr->msg_flags & MSG_TRUNC) != 0) {
      result.truncated++;
      continue;
    }
    fa_udp_datagram* d = &out_[result.delivered++];
    d->data = static_cast<const uint8_t*>(iov_[i].iov_base);
    d->len = msgs_[i].msg_len;
    d->peer = peers_[i];
    parse_control(hdr, d);
    result.bytes += d->len;
  }
  return result;
}

void UdpReceiveBatch::parse_control(msghdr* hdr, fa_udp_datagram* out) const {
  out->local = bound_;
  out->ecn = 0;
  const bool v6_socket = bound_.sa.sa_family == AF_INET6;
  for (cmsghdr* c = CMSG_FIRSTHDR(hdr); c != nullptr; c = CMSG_NXTHDR(hdr, c)) {
    const uint8_t* data = CMSG_DATA(c);
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      in_pktinfo info;
      std::memcpy(&info, data, sizeof info);
      if (v6_socket) {
        // An IPv4 datagram on a dual-stack socket: say it the way the peer is said, mapped.
        uint8_t* a = out->local.in6.sin6_addr.s6_addr;
        std::memset(a, 0, 10);
        a[10] = a[11] = 0xff;
        std::memcpy(a + 12, &info.ipi_addr, 4);
        out->local.in6.sin6_scope_id = 0;
      } else {
        out->local.in4.sin_addr = info.ipi_addr;
      }
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo info;
      std::memcpy(&info, data, sizeof info);
      out->local.in6.sin6_addr = info.ipi6_addr;
      out->local.in6.sin6_scope_id = IN6_IS_ADDR_LINKLOCAL(&info.ipi6_addr) ? info.ipi6_ifindex : 0;
    } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS) {
      out->ecn = data[0] & 3;
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_TCLASS) {
      int tclass = 0;
      std::memcpy(&tclass, data, sizeof tclass);
      out->ecn = static_cast<uint8_t>(tclass & 3);
    }
  }
}

}  // namespace fasterapi
