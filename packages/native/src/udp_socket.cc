// See udp_socket.h.
#include "udp_socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/udp.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <cstring>

namespace fasterapi {
namespace {

bool kernel_offers_gso() {
  // UDP_SEGMENT exists since Linux 4.18; reading the option is the cheapest probe.
  static const bool offered = [] {
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    int value = 0;
    socklen_t len = sizeof value;
    const bool ok = getsockopt(fd, SOL_UDP, UDP_SEGMENT, &value, &len) == 0;
    ::close(fd);
    return ok;
  }();
  return offered;
}

bool parse_host(const UdpBindOptions& options, fa_udp_addr* out) {
  std::memset(out, 0, sizeof *out);
  const uint16_t port = htons(static_cast<uint16_t>(options.port));
  if (inet_pton(AF_INET, options.host.c_str(), &out->in4.sin_addr) == 1) {
    out->in4.sin_family = AF_INET;
    out->in4.sin_port = port;
    return true;
  }
  if (inet_pton(AF_INET6, options.host.c_str(), &out->in6.sin6_addr) == 1) {
    out->in6.sin6_family = AF_INET6;
    out->in6.sin6_port = port;
    return true;
  }
  return false;
}

int set_flag(int fd, int level, int name, int value) {
  return setsockopt(fd, level, name, &value, sizeof value);
}

}  // namespace

bool udp_addr_is_ipv4(const fa_udp_addr& addr) {
  return addr.sa.sa_family == AF_INET ||
         (addr.sa.sa_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&addr.in6.sin6_addr));
}

size_t udp_max_payload(const fa_udp_addr& peer) {
  return udp_addr_is_ipv4(peer) ? FA_UDP_MAX_PAYLOAD_V4 : FA_UDP_MAX_PAYLOAD_V6;
}

UdpSocket open_udp_socket(const UdpBindOptions& options, std::string* error) {
  UdpSocket out;
  fa_udp_addr addr;
  if (options.port < 0 || options.port > 65535) {
    *error = "port must be between 0 and 65535";
    return out;
  }
  if (!parse_host(options, &addr)) {
    *error = "host must be an IPv4 or IPv6 address, got '" + options.host + "'";
    return out;
  }
  const bool v6 = addr.sa.sa_family == AF_INET6;
  const int fd = socket(addr.sa.sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = std::string("socket: ") + std::strerror(errno);
    return out;
  }
  const char* step = nullptr;
  if (options.reuse_port && set_flag(fd, SOL_SOCKET, SO_REUSEPORT, 1) != 0) step = "SO_REUSEPORT";
  if (step == nullptr && v6 && set_flag(fd, IPPROTO_IPV6, IPV6_V6ONLY, options.ipv6_only) != 0) {
    step = "IPV6_V6ONLY";
  }
  if (step == nullptr && options.receive_buffer > 0 &&
      set_flag(fd, SOL_SOCKET, SO_RCVBUF, options.receive_buffer) != 0) {
    step = "SO_RCVBUF";
  }
  if (step == nullptr && options.send_buffer > 0 &&
      set_flag(fd, SOL_SOCKET, SO_SNDBUF, options.send_buffer) != 0) {
    step = "SO_SNDBUF";
  }
  // Destination address and TOS/traffic class of each datagram. A dual-stack IPv6 socket gets
  // IPv4 datagrams too, so it asks for the IPv4 variants as well (IPv6-only ones may refuse).
  if (step == nullptr && v6 &&
      (set_flag(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1) != 0 ||
       set_flag(fd, IPPROTO_IPV6, IPV6_RECVTCLASS, 1) != 0)) {
    step = "IPV6_RECVPKTINFO";
  }
  if (step == nullptr && (!v6 || !options.ipv6_only)) {
    const bool ok = set_flag(fd, IPPROTO_IP, IP_PKTINFO, 1) == 0 &&
                    set_flag(fd, IPPROTO_IP, IP_RECVTOS, 1) == 0;
    if (!ok && !v6) step = "IP_PKTINFO";
  }
  if (step == nullptr && bind(fd, &addr.sa, v6 ? sizeof addr.in6 : sizeof addr.in4) != 0) {
    step = "bind";
  }
  fa_udp_addr bound;
  socklen_t len = sizeof bound;
  if (step == nullptr && getsockname(fd, &bound.sa, &len) != 0) step = "getsockname";
  if (step != nullptr) {
    const int code = errno;
    *error = std::string(uv_err_name(uv_translate_sys_error(code))) + ": " + std::strerror(code) + " (" + step + ") on " + options.host + ":" +
             std::to_string(options.port);
    ::close(fd);
    return out;
  }
  out.fd = fd;
  out.port = ntohs(v6 ? bound.in6.sin6_port : bound.in4.sin_port);
  out.gso = options.gso && kernel_offers_gso();
  return out;
}

}  // namespace fasterapi
