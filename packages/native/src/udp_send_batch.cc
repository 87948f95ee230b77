// See udp_send_batch.h.
#include "udp_send_batch.h"

#include <netinet/in.h>
#include <netinet/udp.h>

#include <cerrno>
#include <cstring>

#include "udp_socket.h"

namespace fasterapi {
namespace {

void advance(const fa_udp_send* messages, UdpSendBatch::Cursor* cursor, size_t offset_end) {
  if (offset_end >= messages[cursor->message].len) {
    cursor->message++;
    cursor->offset = 0;
  } else {
    cursor->offset = offset_end;
  }
}

template <typename T>
cmsghdr* put(msghdr* hdr, cmsghdr* c, int level, int type, const T& value) {
  c->cmsg_level = level;
  c->cmsg_type = type;
  c->cmsg_len = CMSG_LEN(sizeof value);
  std::memcpy(CMSG_DATA(c), &value, sizeof value);
  hdr->msg_controllen += CMSG_SPACE(sizeof value);
  return reinterpret_cast<cmsghdr*>(reinterpret_cast<uint8_t*>(c) + CMSG_SPACE(sizeof value));
}

}  // namespace

void UdpSendBatch::set_control(msghdr* hdr, uint8_t* control, const fa_udp_send& m,
                               uint16_t segment) const {
  std::memset(control, 0, kControlSize);
  hdr->msg_control = control;
  hdr->msg_controllen = 0;
  auto* c = reinterpret_cast<cmsghdr*>(control);
  if (segment != 0) c = put(hdr, c, SOL_UDP, UDP_SEGMENT, segment);
  // IPv4 destinations (also mapped ones on a dual-stack socket) take IPv4 control messages.
  const bool v4 = udp_addr_is_ipv4(m.peer);
  const sa_family_t local = m.local.sa.sa_family;
  if (v4 && (local == AF_INET || (local == AF_INET6 && udp_addr_is_ipv4(m.local)))) {
    in_pktinfo info;
    std::memset(&info, 0, sizeof info);
    if (local == AF_INET) {
      info.ipi_spec_dst = m.local.in4.sin_addr;
    } else {
      std::memcpy(&info.ipi_spec_dst, m.local.in6.sin6_addr.s6_addr + 12, 4);
    }
    c = put(hdr, c, IPPROTO_IP, IP_PKTINFO, info);
  } else if (!v4 && local == AF_INET6) {
    in6_pktinfo info;
    std::memset(&info, 0, sizeof info);
    info.ipi6_addr = m.local.in6.sin6_addr;
    info.ipi6_ifindex = m.local.in6.sin6_scope_id;
    c = put(hdr, c, IPPROTO_IPV6, IPV6_PKTINFO, info);
  }
  if (m.ecn != 0) {
    const int tos = m.ecn & 3;
    c = put(hdr, c, v4 ? IPPROTO_IP : IPPROTO_IPV6, v4 ? IP_TOS : IPV6_TCLASS, tos);
  }
  if (hdr->msg_controllen == 0) hdr->msg_control = nullptr;
}

size_t UdpSendBatch::build(const fa_udp_send* messages, size_t n, bool gso, Cursor cursor) {
  size_t count = 0;
  while (count < kBatch && cursor.message < n) {
    const fa_udp_send& m = messages[cursor.message];
    const size_t rest = m.len - cursor.offset;
    const bool train = m.segment_size != 0 && rest > m.segment_size;
    // One GSO send carries the whole rest of a train; without GSO each datagram is an entry.
    const size_t len = train && !gso ? m.segment_size : rest;
    Entry& e = entries_[count];
    e = {cursor.message, cursor.offset, len, train && gso ? (len + m.segment_size - 1) / m.segment_size : 1};
    iov_[count] = {const_cast<uint8_t*>(m.data) + cursor.offset, len};
    msghdr* hdr = &hdrs_[count].msg_hdr;
    std::memset(hdr, 0, sizeof *hdr);
    hdr->msg_name = const_cast<sockaddr*>(&m.peer.sa);
    hdr->msg_namelen = m.peer.sa.sa_family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
    hdr->msg_iov = &iov_[count];
    hdr->msg_iovlen = 1;
    set_control(hdr, control_[count], m, train && gso ? m.segment_size : 0);
    count++;
    advance(messages, &cursor, cursor.offset + len);
  }
  return count;
}

bool UdpSendBatch::send(int fd, const fa_udp_send* messages, size_t n, bool* gso, Cursor* cursor,
                        Outcome* outcome) {
  while (cursor->message < n) {
    const size_t count = build(messages, n, *gso, *cursor);
    const int sent = sendmmsg(fd, hdrs_, static_cast<unsigned>(count), 0);
    if (sent > 0) {
      for (int i = 0; i < sent; i++) {
        outcome->datagrams += entries_[i].datagrams;
        outcome->bytes += entries_[i].len;
      }
      const Entry& last = entries_[sent - 1];
      *cursor = {last.message, last.offset};
      advance(messages, cursor, last.offset + last.len);
      continue;  // a short count: the next call reports the failing datagram's error
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) return false;
    const Entry& first = entries_[0];
    if (errno == EIO && first.datagrams > 1) {
      *gso = false;  // this route cannot segment in hardware or software: cut trains ourselves
      continue;
    }
    outcome->errors += first.datagrams;
    *cursor = {first.message, first.offset};
    advance(messages, cursor, first.offset + first.len);
  }
  return true;
}

}  // namespace fasterapi
