// One accepted TCP connection: reads into the engine's buffer, optional TLS, hands bytes to
// its protocol module (keeping what the module did not consume), queues and corks writes,
// applies backpressure, hands itself over to another module, bounds handshakes and graceful
// closes with its own timer, and closes gracefully or abortively. It implements the fa_conn
// services of engine_abi.h (its public prefix is the fa_conn base); it knows nothing about any
// particular protocol.
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "fasterapi/engine_abi.h"
#include "tls.h"
#include "write_queue.h"

namespace fasterapi {

class Engine;
class Listener;

class Connection : public fa_conn {
 public:
  Connection(Engine* engine, Listener* listener, uint64_t id);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  uv_tcp_t* handle() { return &handle_; }
  // After uv_accept: starts reading; plain connections open their protocol right away.
  void start();
  // After Engine::adopt: plain, already connected; `proto` opens right away.
  void start_adopted(fa_protocol* proto);

  // fa_engine_api services.
  int write(const fa_iovec* iov, size_t n);
  int write_ref(const fa_iovec* iov, size_t n, fa_release_fn release, void* arg);
  void cork() { cork_++; }
  void uncork();
  size_t buffered() const { return out_.bytes() + wire_.bytes(); }
  void close(int mode, fa_close_reason reason);
  void pause_reading();
  void resume_reading();
  int handover(fa_protocol* next, const void* handoff, size_t len);
  int remote_address(char* ip, size_t ip_len, int* port);
  int local_port();
  const char* alpn() const { return tls_ ? tls_->alpn() : nullptr; }
  const char* server_name() const { return tls_ ? tls_->server_name() : nullptr; }
  bool is_tls() const { return tls_ != nullptr; }
  uint64_t id() const { return id_; }
  Engine* engine() const { return engine_; }

  // Engine-driven events.
  void run_pending(unsigned flags);   // deferred work scheduled through Engine::schedule
  void request_shutdown();            // engine close(): ask the module to finish
  void force_close(fa_close_reason);  // grace expired or teardown: reset now

  // Engine bookkeeping (intrusive list and pending-work flags).
  Connection* prev = nullptr;
  Connection* next = nullptr;
  unsigned pending_flags = 0;

 private:
  enum class State { kHandshake, kOpen, kClosing, kShutdown, kClosed };
  class CallbackScope;

  static void on_alloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf);
  static void on_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);
  static void on_write(uv_write_t* req, int status);
  static void on_shutdown_done(uv_shutdown_t* req, int status);
  static void on_handle_closed(uv_handle_t* h);
  static void on_close_timer(fa_timer* timer, void* arg);

  fa_conn* as_fa() { return this; }
  void read_tls(const uint8_t* data, size_t len);
  void handle_eof();
  void open(fa_protocol* proto);
  void deliver(const uint8_t* data, size_t len);
  size_t dispatch(const uint8_t* data, size_t len);
  void dispatch_kept();
  int after_enqueue();
  void flush();
  void encrypt_queued();
  void write_wire();
  void after_write_progress(bool from_uv_callback);
  void finish_graceful();
  void close_handle(bool reset);
  void start_reading();
  void stop_reading();
  void complete_handover(bool from_dispatch);

  uv_tcp_t handle_;
  uv_write_t write_req_;
  uv_shutdown_t shutdown_req_;
  Engine* engine_;
  Listener* listener_;  // null for adopted sockets
  uint64_t id_;
  std::unique_ptr<TlsSession> tls_;
  WriteQueue out_;   // plaintext (TLS) or wire bytes (plain TCP) not yet written
  WriteQueue wire_;  // TLS ciphertext not yet written
  std::vector<uint8_t> kept_;  // input the module has not consumed yet
  // Bounds the TLS handshake and a graceful close (flush + linger).
  fa_timer close_timer_{};
  // A hand-over in progress (conn_handover): the next module and its hand-off blob.
  fa_protocol* handover_to_ = nullptr;
  std::vector<uint8_t> handoff_;
  State state_ = State::kHandshake;
  fa_close_reason reason_ = FA_CLOSE_REASON_LOCAL;
  size_t inflight_ = 0;  // bytes in the current uv_write
  int cork_ = 0;
  int in_callback_ = 0;
  bool opened_ = false;  // on_open accepted: on_close is owed
  bool reading_ = false;
  bool read_paused_ = false;
  bool eof_ = false;
  bool backpressured_ = false;
  bool in_on_data_ = false;
  bool close_notify_sent_ = false;
};

}  // namespace fasterapi
