// Opening the socket of a UDP endpoint: non-blocking and close-on-exec, SO_REUSEPORT, dual-stack
// or IPv6-only, asking the kernel for each datagram's destination address (PKTINFO) and ECN
// bits, optional buffer sizes, and whether the kernel does UDP GSO (probed once per process).
// Plain POSIX sockets, no engine state: the endpoint owns the descriptor it gets.
#pragma once

#include <cstddef>
#include <string>

#include "fasterapi/engine_abi.h"

namespace fasterapi {

struct UdpBindOptions {
  std::string host;
  int port = 0;
  bool reuse_port = true;
  bool ipv6_only = false;            // only for IPv6 hosts; "::" is dual-stack otherwise
  size_t max_datagram = 2048;        // receive slot size: longer datagrams count as truncated
  bool gso = true;                   // use UDP GSO when the kernel offers it
  int receive_buffer = 0;            // SO_RCVBUF, 0 = the system default
  int send_buffer = 0;               // SO_SNDBUF, 0 = the system default
};

struct UdpSocket {
  int fd = -1;  // -1 on failure
  int port = 0;
  bool gso = false;
};

// Binds a socket as `options` ask; on failure fd is -1 and *error says what and where.
UdpSocket open_udp_socket(const UdpBindOptions& options, std::string* error);

// The largest payload one datagram to `peer` may carry (IPv4-mapped peers get the IPv4 limit).
size_t udp_max_payload(const fa_udp_addr& peer);

// True for AF_INET, and for AF_INET6 addresses of the form ::ffff:a.b.c.d.
bool udp_addr_is_ipv4(const fa_udp_addr& addr);

}  // namespace fasterapi
