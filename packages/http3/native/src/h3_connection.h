// One QUIC connection serving HTTP/3: ngtcp2_conn + GnuTLS session + nghttp3_conn, its
// connection IDs, its expiry timer and the request streams. Owned by Server.
#ifndef FASTERAPI_HTTP3_H3_CONNECTION_H
#define FASTERAPI_HTTP3_H3_CONNECTION_H

#include <nghttp3/nghttp3.h>
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>

#include <map>
#include <string>
#include <vector>

#include "h3_server.h"

namespace fasterapi::http3 {

struct Stream {
  int64_t id;
  std::string method, path, authority, headers;
  size_t header_bytes = 0;
  bool headers_too_large = false;
  bool request_done = false;    // FIN of the request seen
  bool responded = false;       // response head submitted
  bool response_eof = false;    // every body byte is queued
  bool writer_waiting = false;  // write() said "wait": a kDrain event is owed
  std::string response_text;  // what the submitted nghttp3_nv point at (never reallocated after)
  size_t unconsumed = 0;      // body bytes handed to JS and not yet consumed
  // Response body not yet acknowledged: chunks[acked..size). A vector with a moving front, not a
  // deque: most responses are one chunk, and an empty deque already costs two allocations.
  std::vector<std::vector<uint8_t>> chunks;
  size_t acked = 0;              // chunks[0..acked) are acknowledged (and freed)
  size_t handed = 0;             // chunks[0..handed) were given to nghttp3
  uint64_t acked_in_front = 0;   // bytes of chunks[acked] already acknowledged
  size_t buffered = 0;           // sum of the unacknowledged chunks' sizes
  bool all_acked() const { return acked == chunks.size(); }
};

class Connection {
 public:
  Connection(Server* server, uint32_t id);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sets up ngtcp2/GnuTLS for a client's first Initial (`odcid`: the DCID before a Retry, or null).
  bool init(const ngtcp2_pkt_hd& hd, const ngtcp2_cid* odcid, const fa_udp_datagram& d);
  void read(const fa_udp_datagram& d);
  void write();      // sends what ngtcp2/nghttp3 have, re-arms the expiry timer
  void goaway();     // graceful: no new requests, close once in-flight ones finish

  bool respond(int64_t stream, uint32_t status, std::string_view content_type, std::string_view headers,
               const uint8_t* body, size_t len, bool streamed, bool head);
  int write_body(int64_t stream, const uint8_t* data, size_t len);
  bool end(int64_t stream);
  void consume(int64_t stream, size_t n);
  void stop_reading(int64_t stream);
  void reset(int64_t stream);

  void mark_done();  // queues kClosed for open streams; Server frees it after the batch
  bool done() const { return done_; }
  uint32_t id() const { return id_; }
  const fa_udp_addr& remote() const { return remote_; }
  bool dirty = false;

 private:
  friend struct Callbacks;
  static void on_timer(fa_timer* timer, void* arg);
  static ngtcp2_conn* get_conn(ngtcp2_crypto_conn_ref* ref);
  bool setup_http3();
  void handle_error(int liberr);
  void enter_closing();
  void start_drain_period();
  void close_if_idle_after_goaway();
  Stream* stream(int64_t id);
  void end_of_stream(int64_t id, uint64_t app_error_code);
  void respond_too_large(Stream& s);
  ngtcp2_path path();

  Server* server_;
  uint32_t id_;
  ngtcp2_conn* conn_ = nullptr;
  gnutls_session_t session_ = nullptr;
  nghttp3_conn* h3_ = nullptr;
  ngtcp2_crypto_conn_ref conn_ref_{};
  ngtcp2_connection_close_error ccerr_{};
  fa_udp_addr local_{}, remote_{};
  fa_timer timer_{};
  std::vector<std::string> cids_;  // routed to this connection
  std::map<int64_t, Stream> streams_;
  std::vector<uint8_t> close_packet_;  // CONNECTION_CLOSE resent while closing
  bool closing_ = false, draining_ = false, goaway_ = false, done_ = false;
};

}  // namespace fasterapi::http3

#endif
