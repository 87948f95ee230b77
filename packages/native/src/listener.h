// A listening TCP socket: created with uv_tcp_init_ex so SO_REUSEPORT can be set before
// bind (several worker threads, each with its own engine, share one port and the kernel
// balances accepts), with an optional TLS context and a default protocol for its connections.
#pragma once

#include <uv.h>

#include <memory>
#include <string>

#include "fasterapi/engine_abi.h"
#include "tls.h"

namespace fasterapi {

class Engine;
struct ListenOptions;

class Listener {
 public:
  // Returns null with *error set (e.g. "EADDRINUSE: address already in use").
  static Listener* create(Engine* engine, const ListenOptions& options, fa_protocol* proto,
                          std::unique_ptr<TlsContext> tls, std::string* error);
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  int port() const { return port_; }
  fa_protocol* protocol() const { return proto_; }
  const TlsContext* tls() const { return tls_.get(); }
  // Stops accepting; the engine hears back through Engine::listener_gone.
  void close();

 private:
  Listener(Engine* engine, fa_protocol* proto, std::unique_ptr<TlsContext> tls);
  ~Listener();
  static void on_connection(uv_stream_t* server, int status);
  static void on_closed(uv_handle_t* h);

  uv_tcp_t handle_;
  Engine* engine_;
  fa_protocol* proto_;
  std::unique_ptr<TlsContext> tls_;
  int port_ = 0;
  bool closing_ = false;
};

}  // namespace fasterapi
