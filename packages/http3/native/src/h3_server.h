// The HTTP/3 server module, without N-API: QUIC connections on ngtcp2 (TLS 1.3 by GnuTLS through
// ngtcp2_crypto_gnutls), HTTP/3 + QPACK on nghttp3, driven by one engine UDP endpoint and the
// engine's millisecond timers. Requests, body chunks, drains and stream closes are queued as
// Events and handed to the embedder (the addon, or the fuzz driver) once per datagram batch or
// timer, never from inside ngtcp2/nghttp3 calls, so the embedder may answer synchronously.
#ifndef FASTERAPI_HTTP3_H3_SERVER_H
#define FASTERAPI_HTTP3_H3_SERVER_H

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fasterapi/engine_abi.h"

namespace fasterapi::http3 {

enum class RetryMode : uint8_t { kNever, kUnderLoad, kAlways };

struct Options {
  uint64_t max_streams = 100;               // concurrent request streams per connection
  uint64_t stream_window = 256 * 1024;      // request body bytes in flight per stream
  uint64_t connection_window = 1024 * 1024; // per connection, all streams
  uint64_t idle_timeout_ms = 30'000;
  size_t max_header_bytes = 16 * 1024;      // decoded field section size (431 above it)
  RetryMode retry = RetryMode::kUnderLoad;
  size_t retry_load_threshold = 256;        // connections (kUnderLoad): handshakes beyond need Retry
  size_t max_connections = 10'000;          // hard cap: Initials beyond it are dropped
  size_t qpack_table_capacity = 4096;       // our decoder's dynamic table (bounded)
  size_t qpack_blocked_streams = 16;
};

enum class EventKind : uint8_t {
  kRequest, // method/path/authority/headers; flag = has body
  kBody,    // bytes (may be empty); flag = fin
  kDrain,   // a streamed response may write again
  kClosed,  // the stream is gone; flag = the response had not completed (aborted)
};

struct Event {
  EventKind kind;
  bool flag;
  uint32_t conn;
  int64_t stream;
  std::string method, path, headers;  // kRequest: headers "name\0value\0..." (host from :authority)
  std::vector<uint8_t> bytes;         // kBody
};

struct Stats {
  double connections = 0, active_connections = 0, requests = 0, bytes_in = 0, bytes_out = 0;
  double version_negotiations = 0, retries = 0, stateless_resets = 0, dropped_datagrams = 0;
  double handshake_failures = 0;
};

class Connection;

// Services the server needs from its embedder (the engine's table, or a fake in the fuzz driver).
struct Embedder {
  void* ctx;
  // The queued events of one batch, in order (the embedder may call back into the Server).
  void (*deliver)(void* ctx, std::vector<Event>& events);
};

class Server {
 public:
  Server(const fa_engine_api* api, const Options& options, Embedder embedder);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // PEM key and certificate (chain); false with `error` set when GnuTLS refuses them.
  bool set_certificate(std::string_view key_pem, std::string_view cert_pem, std::string* error);

  // The UDP endpoint's callbacks (the addon's fa_udp_protocol forwards to these).
  void endpoint_open(fa_udp_endpoint* ep);
  void on_datagrams(const fa_udp_datagram* datagrams, size_t n);
  void on_writable();
  void on_shutdown();      // GOAWAY everywhere; close the endpoint once the last connection is gone
  void endpoint_closed();  // free every connection (no events)

  // Answers from JS. All return false when the stream or connection is gone.
  bool respond(uint32_t conn, int64_t stream, uint32_t status, std::string_view content_type,
               std::string_view headers, const uint8_t* body, size_t len, bool streamed, bool head);
  // 1: write more now; 0: wait for a kDrain event; -1: gone.
  int write(uint32_t conn, int64_t stream, const uint8_t* data, size_t len);
  bool end(uint32_t conn, int64_t stream);
  // JS took `n` body bytes of `stream`: the peer may send that many more.
  void consume(uint32_t conn, int64_t stream, size_t n);
  // Stops reading the request body (the answer does not need it), or resets the whole stream.
  void stop_reading(uint32_t conn, int64_t stream);
  void reset(uint32_t conn, int64_t stream);
  std::string remote_address(uint32_t conn) const;

  // Writes what every touched connection owes and delivers queued events (end of a JS turn).
  void flush();

  const Stats& stats() const { return stats_; }
  const Options& options() const { return options_; }
  bool shutting_down() const { return shutting_down_; }

  // ---- for Connection ----
  const fa_engine_api* api() const { return api_; }
  fa_engine* engine() const { return engine_; }
  gnutls_certificate_credentials_t credentials() const { return cred_; }
  const uint8_t* secret() const { return secret_; }
  size_t secret_len() const { return sizeof secret_; }
  Stats& mutable_stats() { return stats_; }
  void queue(Event&& event) { events_.push_back(std::move(event)); }
  void register_cid(const uint8_t* cid, size_t len, Connection* c);
  void unregister_cid(const uint8_t* cid, size_t len);
  void mark_dirty(Connection* c);
  // Room for kTxPackets packets of kTxPacketSize bytes; a connection writes a burst there and
  // hands it to send() before the next connection writes.
  static constexpr size_t kTxPackets = 32;
  static constexpr size_t kTxPacketSize = 1472;
  uint8_t* tx_buffer() { return tx_.data(); }
  // Sends a burst written at tx_buffer() (`sizes[i]` bytes each, back to back) to one path:
  // one GSO train when the kernel or engine allows, else one message per packet.
  void send_burst(const size_t* sizes, size_t n, const fa_udp_addr& peer, const fa_udp_addr& local,
                  uint8_t ecn);
  void send_one(const uint8_t* data, size_t len, const fa_udp_addr& peer, const fa_udp_addr& local);
  size_t max_segments() const;
  void connection_done(Connection* c);  // frees it at the end of the current batch

 private:
  void handle(const fa_udp_datagram& d);
  void accept_initial(const fa_udp_datagram& d);
  void send_version_negotiation(const fa_udp_datagram& d, const uint8_t* dcid, size_t dcidlen,
                                const uint8_t* scid, size_t scidlen);
  void send_retry(const fa_udp_datagram& d, uint32_t version, const uint8_t* dcid, size_t dcidlen,
                  const uint8_t* scid, size_t scidlen);
  void send_stateless_reset(const fa_udp_datagram& d, const uint8_t* dcid, size_t dcidlen);
  Connection* find(uint32_t id) const;
  void finish_batch();
  static void on_turn(void* arg);

  const fa_engine_api* api_;
  fa_engine* engine_ = nullptr;
  fa_udp_endpoint* ep_ = nullptr;
  Options options_;
  Embedder embedder_;
  gnutls_certificate_credentials_t cred_ = nullptr;
  uint8_t secret_[32];
  uint32_t next_id_ = 1;
  bool shutting_down_ = false;
  bool in_batch_ = false;
  std::unordered_map<std::string, Connection*> by_cid_;
  std::unordered_map<uint32_t, std::unique_ptr<Connection>> by_id_;
  std::vector<uint32_t> dirty_;
  std::vector<uint32_t> done_;
  std::vector<Event> events_;
  std::vector<fa_udp_send> sends_;
  std::vector<uint8_t> tx_ = std::vector<uint8_t>(kTxPackets * kTxPacketSize);
  fa_turn_hook turn_hook_{};
  Stats stats_;
};

}  // namespace fasterapi::http3

#endif
