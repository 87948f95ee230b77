// See listener.h.
#include "listener.h"

#include <sys/socket.h>

#include <cstring>

#include "connection.h"
#include "engine.h"

namespace fasterapi {

static std::string uv_error(const char* what, int code) {
  return std::string(uv_err_name(code)) + ": " + uv_strerror(code) + " (" + what + ")";
}

Listener::Listener(Engine* engine, fa_protocol* proto, std::unique_ptr<TlsContext> tls)
    : engine_(engine), proto_(proto), tls_(std::move(tls)) {
  handle_.data = this;
  protocol_retain(proto_);
}

Listener::~Listener() { protocol_release(proto_); }

Listener* Listener::create(Engine* engine, const ListenOptions& options, fa_protocol* proto,
                           std::unique_ptr<TlsContext> tls, std::string* error) {
  sockaddr_storage addr;
  std::memset(&addr, 0, sizeof addr);
  int family = AF_INET;
  if (uv_ip4_addr(options.host.c_str(), options.port, reinterpret_cast<sockaddr_in*>(&addr)) !=
      0) {
    if (uv_ip6_addr(options.host.c_str(), options.port,
                    reinterpret_cast<sockaddr_in6*>(&addr)) != 0) {
      *error = "host must be an IPv4 or IPv6 address, got '" + options.host + "'";
      return nullptr;
    }
    family = AF_INET6;
  }
  if (options.port < 0 || options.port > 65535) {
    *error = "port must be between 0 and 65535";
    return nullptr;
  }

  auto* self = new Listener(engine, proto, std::move(tls));
  int r = uv_tcp_init_ex(engine->loop(), &self->handle_, family);
  if (r != 0) {
    *error = uv_error("socket", r);
    delete self;
    return nullptr;
  }
  const char* step = "setsockopt SO_REUSEPORT";
  if (options.reuse_port) {
    uv_os_fd_t fd;
    r = uv_fileno(reinterpret_cast<uv_handle_t*>(&self->handle_), &fd);
    int on = 1;
    if (r == 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0) {
      r = uv_translate_sys_error(errno);
    }
  }
  if (r == 0) {
    step = "bind";
    r = uv_tcp_bind(&self->handle_, reinterpret_cast<const sockaddr*>(&addr), 0);
  }
  if (r == 0) {
    step = "listen";
    r = uv_listen(reinterpret_cast<uv_stream_t*>(&self->handle_), options.backlog, on_connection);
  }
  if (r == 0) {
    step = "getsockname";
    sockaddr_storage bound;
    int len = sizeof bound;
    r = uv_tcp_getsockname(&self->handle_, reinterpret_cast<sockaddr*>(&bound), &len);
    if (r == 0) {
      self->port_ = family == AF_INET
                        ? ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port)
                        : ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
    }
  }
  if (r != 0) {
    *error = uv_error(step, r) + " on " + options.host + ":" + std::to_string(options.port);
    // The handle exists, so it must be closed through libuv; the engine never saw it.
    self->engine_ = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(&self->handle_), on_closed);
    return nullptr;
  }
  return self;
}

void Listener::on_connection(uv_stream_t* server, int status) {
  auto* self = static_cast<Listener*>(server->data);
  if (status != 0 || self->closing_) return;  // EMFILE and friends: try again on the next event
  Connection* conn = self->engine_->accept_connection(self);
  if (conn == nullptr) return;
  if (uv_accept(server, reinterpret_cast<uv_stream_t*>(conn->handle())) != 0) {
    conn->force_close(FA_CLOSE_REASON_ERROR);
    return;
  }
  conn->start();
}

void Listener::close() {
  if (closing_) return;
  closing_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_), on_closed);
}

void Listener::on_closed(uv_handle_t* h) {
  auto* self = static_cast<Listener*>(h->data);
  Engine* engine = self->engine_;
  if (engine != nullptr) engine->listener_gone(self);
  delete self;
}

}  // namespace fasterapi
