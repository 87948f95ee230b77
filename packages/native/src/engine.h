// The engine: one per JS thread that wants native sockets. Owns the protocol registry (and
// the default ALPN list built from it), listeners, live connections, UDP endpoints, the module
// timers, buffers, the end-of-turn pass (module turn hooks, then deferred per-connection work),
// stats, and the graceful close / teardown sequences. It runs on Node's own uv loop and never on
// another thread.
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "buffer_pool.h"
#include "fasterapi/engine_abi.h"
#include "timer_heap.h"
#include "tls.h"
#include "udp_endpoints.h"

namespace fasterapi {

class Connection;
class Listener;

struct EngineStats {
  uint64_t connections = 0;  // accepted or adopted since creation
  uint64_t active = 0;       // open right now
  uint64_t bytes_in = 0;     // wire bytes
  uint64_t bytes_out = 0;    // wire bytes
  uint64_t tls_handshakes = 0;
  uint64_t tls_errors = 0;
};

struct ListenOptions {
  std::string host;
  int port = 0;
  bool reuse_port = true;
  int backlog = 1024;
};

// What the N-API layer wants to hear about; all calls happen on the loop thread.
class EngineObserver {
 public:
  virtual void on_active_changed(bool active) = 0;  // has listeners or connections
  virtual void on_close_done() = 0;                 // close() finished
  virtual void on_disposed() = 0;                   // teardown finished; engine memory may go
 protected:
  ~EngineObserver() = default;
};

class Engine {
 public:
  static constexpr size_t kReadBufferSize = 64 * 1024;
  static constexpr size_t kHighWater = 64 * 1024;
  static constexpr size_t kLowWater = 16 * 1024;
  static constexpr uint32_t kGracefulCloseLimitMs = 5000;

  // Deferred work flags for schedule().
  static constexpr unsigned kFlush = 1;
  static constexpr unsigned kRedeliver = 2;
  static constexpr unsigned kDrain = 4;
  static constexpr unsigned kHandover = 8;

  Engine(uv_loop_t* loop, EngineObserver* observer);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Registry. Returns 0, or -1 with *error set.
  int register_protocol(fa_protocol* proto, std::string* error);
  fa_protocol* find_protocol(const char* name) const;
  // Registered names in ALPN wire format, in registration order (TLS contexts read it live).
  const std::string* alpn_wire() const { return &alpn_wire_; }

  // Returns the bound port, or -1 with *error set.
  int listen(const ListenOptions& options, fa_protocol* default_proto,
             std::unique_ptr<TlsContext> tls, std::string* error);

  // Takes over a stream socket (TCP or Unix) that is already connected and was set up by
  // someone else, e.g. a database client after its own handshake: the engine works on a
  // duplicate of `fd`, so the caller still closes its own descriptor. `proto` serves it from
  // now on (its on_open runs before this returns). Returns the connection id, or 0 with *error.
  uint64_t adopt(int fd, fa_protocol* proto, std::string* error);

  // Module services of engine_abi.h.
  TimerHeap* timers() { return &timers_; }
  void request_turn_hook(fa_turn_hook* hook);
  fa_engine* as_fa() { return reinterpret_cast<fa_engine*>(this); }
  static Engine* from_fa(fa_engine* engine) { return reinterpret_cast<Engine*>(engine); }

  // Stops accepting, asks modules to finish, aborts what is left after grace_ms.
  // EngineObserver::on_close_done follows once nothing is open.
  void close(uint32_t grace_ms);
  // Environment teardown: reset everything now, then EngineObserver::on_disposed.
  void teardown();
  bool closing() const { return closing_; }
  bool tearing_down() const { return tearing_down_; }

  const EngineStats& stats() const { return stats_; }
  EngineStats& mutable_stats() { return stats_; }
  size_t listener_count() const { return listeners_.size(); }
  UdpEndpoints* udp() { return &udp_; }
  const UdpEndpoints* udp() const { return &udp_; }

  // Used by listeners and connections.
  uv_loop_t* loop() const { return loop_; }
  BufferPool* pool() { return &pool_; }
  uint8_t* read_buffer() { return read_buffer_.get(); }
  uint8_t* plain_buffer() { return plain_buffer_.get(); }
  uint8_t* staging_buffer() { return staging_buffer_.get(); }
  // A new connection for `listener`, or for an adopted socket when listener is null.
  Connection* accept_connection(Listener* listener);
  void connection_gone(Connection* conn);
  void listener_gone(Listener* listener);
  void schedule(Connection* conn, unsigned flags);
  // A UDP endpoint was bound or is gone; may free the engine during teardown.
  void udp_endpoints_changed();

 private:
  static void on_turn_end(uv_check_t* h);
  static void on_turn_idle(uv_idle_t* h);
  static void on_grace_expired(uv_timer_t* t);
  static void on_own_handle_closed(uv_handle_t* h);
  void run_pending();
  void run_turn_hooks();
  void start_turn_end();
  void rebuild_alpn();
  void update_active();
  void maybe_close_done();

  uv_loop_t* loop_;
  EngineObserver* observer_;
  std::vector<fa_protocol*> protocols_;
  std::string alpn_wire_;
  std::vector<Listener*> listeners_;
  Connection* conns_ = nullptr;  // intrusive list head
  std::vector<Connection*> pending_;
  fa_turn_hook* hooks_head_ = nullptr;  // queued turn hooks, in request order
  fa_turn_hook* hooks_tail_ = nullptr;
  BufferPool pool_;
  TimerHeap timers_;
  uv_check_t check_;
  uv_idle_t idle_;
  uv_timer_t grace_;
  std::unique_ptr<uint8_t[]> read_buffer_;
  std::unique_ptr<uint8_t[]> plain_buffer_;
  std::unique_ptr<uint8_t[]> staging_buffer_;
  EngineStats stats_;
  UdpEndpoints udp_{this};
  uint64_t next_id_ = 1;
  int own_handles_open_ = 0;
  bool closing_ = false;
  bool tearing_down_ = false;
  bool active_ = false;
};

void protocol_retain(fa_protocol* proto);
void protocol_release(fa_protocol* proto);
// Whether `proto` speaks this ABI and has the callbacks every module needs.
bool protocol_usable(const fa_protocol* proto);

}  // namespace fasterapi
