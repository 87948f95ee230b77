// One bound UDP socket of an engine, polled on the loop with a uv_poll_t (uv_udp would hand
// over one datagram per callback). Reads in recvmmsg batches, a bounded number per loop turn so
// one busy endpoint cannot starve the loop; sends right away with sendmmsg and queues what the
// socket refuses (EAGAIN), then polls for writability and tells the module once the queue is
// empty. It implements the fa_udp_api services; it knows nothing about QUIC.
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "fasterapi/engine_abi.h"
#include "udp_receive_batch.h"
#include "udp_send_batch.h"
#include "udp_send_queue.h"
#include "udp_socket.h"

namespace fasterapi {

class UdpEndpoints;

class UdpEndpoint : public fa_udp_endpoint {
 public:
  // recvmmsg batches read per readable event (one loop turn) before yielding to the loop.
  static constexpr int kBatchesPerTurn = 4;

  // Takes the bound socket, starts polling it and runs the module's on_open; returns null
  // with *error set if that refused it (the socket is closed then, without on_close).
  static UdpEndpoint* open(UdpEndpoints* owner, uv_loop_t* loop, const fa_engine_api* api,
                           const UdpSocket& socket, size_t max_datagram, fa_udp_protocol* proto,
                           std::string* error);
  UdpEndpoint(const UdpEndpoint&) = delete;
  UdpEndpoint& operator=(const UdpEndpoint&) = delete;

  int port() const { return port_; }

  // fa_udp_api services.
  int send(const fa_udp_send* messages, size_t n);
  size_t queued_bytes() const { return queue_.bytes(); }
  int local_address(fa_udp_addr* out) const;
  size_t max_segments() const { return gso_ ? FA_UDP_MAX_SEGMENTS : 1; }
  void close(fa_close_reason reason);
  UdpEndpoints* owner() const { return owner_; }

  // Engine close(): the module may finish first (on_shutdown), else the endpoint closes now.
  void request_shutdown();

  UdpEndpoint* prev = nullptr;  // UdpEndpoints' list
  UdpEndpoint* next = nullptr;

 private:
  friend class UdpEndpoints;  // deletes it once closed
  UdpEndpoint(UdpEndpoints* owner, const UdpSocket& socket, size_t max_datagram,
              fa_udp_protocol* proto);
  ~UdpEndpoint();
  static void on_poll(uv_poll_t* handle, int status, int events);
  static void on_closed(uv_handle_t* handle);
  void receive();
  void flush_queue();
  void watch(bool writable);
  void count_sent(const UdpSendBatch::Outcome& outcome);

  UdpEndpoints* owner_;
  uv_poll_t poll_;
  int fd_;
  int port_;
  bool gso_;
  bool closing_ = false;
  bool refused_ = false;
  bool watching_writable_ = false;
  bool owe_writable_ = false;  // send returned QUEUED/DROPPED: on_writable once the queue empties
  fa_close_reason reason_ = FA_CLOSE_REASON_LOCAL;
  UdpReceiveBatch in_;
  UdpSendBatch out_;
  UdpSendQueue queue_;
};

}  // namespace fasterapi
