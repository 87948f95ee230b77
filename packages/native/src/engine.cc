// See engine.h.
#include "engine.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "connection.h"
#include "listener.h"

namespace fasterapi {

void protocol_retain(fa_protocol* proto) {
  if (proto != nullptr && proto->retain != nullptr) proto->retain(proto);
}

void protocol_release(fa_protocol* proto) {
  if (proto != nullptr && proto->release != nullptr) proto->release(proto);
}

bool protocol_usable(const fa_protocol* proto) {
  return proto != nullptr && proto->abi_version == FA_ENGINE_ABI_VERSION && proto->size >= sizeof(fa_protocol) &&
         proto->on_open != nullptr && proto->on_data != nullptr && proto->on_close != nullptr;
}

Engine::Engine(uv_loop_t* loop, EngineObserver* observer)
    : loop_(loop),
      observer_(observer),
      timers_(loop),
      read_buffer_(new uint8_t[kReadBufferSize]),
      plain_buffer_(new uint8_t[kReadBufferSize]),
      staging_buffer_(new uint8_t[BufferPool::kChunkSize]) {
  uv_check_init(loop, &check_);
  uv_idle_init(loop, &idle_);
  uv_timer_init(loop, &grace_);
  for (uv_handle_t* h : {reinterpret_cast<uv_handle_t*>(&check_),
                         reinterpret_cast<uv_handle_t*>(&idle_),
                         reinterpret_cast<uv_handle_t*>(&grace_)}) {
    h->data = this;
    uv_unref(h);  // only listeners and connections keep the loop alive
  }
  own_handles_open_ = 4;  // check, idle, grace, module timers
}

Engine::~Engine() {
  for (fa_protocol* p : protocols_) protocol_release(p);
}

int Engine::register_protocol(fa_protocol* proto, std::string* error) {
  if (proto == nullptr || proto->abi_version != FA_ENGINE_ABI_VERSION ||
      proto->size < sizeof(fa_protocol)) {
    *error = "protocol module was built for another engine ABI version (want " +
             std::to_string(FA_ENGINE_ABI_VERSION) + ")";
    return -1;
  }
  size_t len = proto->name != nullptr ? std::strlen(proto->name) : 0;
  if (len == 0 || len > 255 || proto->on_open == nullptr || proto->on_data == nullptr ||
      proto->on_close == nullptr) {
    *error = "protocol module needs a name (1-255 bytes), on_open, on_data and on_close";
    return -1;
  }
  for (fa_protocol*& existing : protocols_) {
    if (std::strcmp(existing->name, proto->name) == 0) {
      if (existing == proto) return 0;
      protocol_retain(proto);
      protocol_release(existing);
      existing = proto;
      rebuild_alpn();
      return 0;
    }
  }
  protocol_retain(proto);
  protocols_.push_back(proto);
  rebuild_alpn();
  return 0;
}

fa_protocol* Engine::find_protocol(const char* name) const {
  if (name == nullptr) return nullptr;
  for (fa_protocol* p : protocols_) {
    if (std::strcmp(p->name, name) == 0) return p;
  }
  return nullptr;
}

void Engine::rebuild_alpn() {
  // ALPN wire format: length-prefixed ids. Registration order is the default preference; a
  // listener's `alpn` option orders them its own way (see TlsContext).
  alpn_wire_.clear();
  for (fa_protocol* p : protocols_) {
    alpn_wire_.push_back(static_cast<char>(std::strlen(p->name)));
    alpn_wire_.append(p->name);
  }
}

int Engine::listen(const ListenOptions& options, fa_protocol* default_proto,
                   std::unique_ptr<TlsContext> tls, std::string* error) {
  if (tearing_down_) {
    *error = "engine is being torn down";
    return -1;
  }
  if (closing_) {
    *error = "engine is closing";
    return -1;
  }
  if (default_proto != nullptr && register_protocol(default_proto, error) != 0) return -1;
  Listener* listener = Listener::create(this, options, default_proto, std::move(tls), error);
  if (listener == nullptr) return -1;
  listeners_.push_back(listener);
  update_active();
  return listener->port();
}

Connection* Engine::accept_connection(Listener* listener) {
  auto* conn = new Connection(this, listener, next_id_++);
  uv_tcp_init(loop_, conn->handle());
  conn->next = conns_;
  if (conns_ != nullptr) conns_->prev = conn;
  conns_ = conn;
  stats_.connections++;
  stats_.active++;
  update_active();
  return conn;
}

uint64_t Engine::adopt(int fd, fa_protocol* proto, std::string* error) {
  if (closing_ || tearing_down_) {
    *error = "engine is closing";
    return 0;
  }
  if (!protocol_usable(proto)) {
    *error = "protocol module was built for another engine ABI version (want " +
             std::to_string(FA_ENGINE_ABI_VERSION) + ") or lacks on_open, on_data or on_close";
    return 0;
  }
  const int own = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (own < 0) {
    *error = std::string("cannot duplicate socket descriptor: ") + std::strerror(errno);
    return 0;
  }
  Connection* conn = accept_connection(nullptr);
  // uv_tcp_open takes any connected stream socket; TCP-only calls (nodelay) just fail on Unix ones.
  const int r = uv_tcp_open(conn->handle(), own);
  if (r != 0) {
    ::close(own);
    *error = std::string("cannot adopt socket: ") + uv_strerror(r);
    conn->force_close(FA_CLOSE_REASON_ERROR);
    return 0;
  }
  const uint64_t id = conn->id();
  conn->start_adopted(proto);
  return id;
}

void Engine::connection_gone(Connection* conn) {
  if (conn->pending_flags != 0) {
    auto it = std::find(pending_.begin(), pending_.end(), conn);
    if (it != pending_.end()) *it = nullptr;
  }
  if (conn->prev != nullptr) conn->prev->next = conn->next;
  if (conn->next != nullptr) conn->next->prev = conn->prev;
  if (conns_ == conn) conns_ = conn->next;
  stats_.active--;
  maybe_close_done();
  update_active();  // last: during teardown it may free this engine
}

void Engine::listener_gone(Listener* listener) {
  auto it = std::find(listeners_.begin(), listeners_.end(), listener);
  if (it != listeners_.end()) listeners_.erase(it);
  maybe_close_done();
  update_active();  // last: during teardown it may free this engine
}

void Engine::start_turn_end() {
  // check runs right after this turn's I/O; idle keeps the loop from blocking in poll when the
  // work was queued later in the turn (timers, setImmediate). Starting a started handle is a no-op.
  uv_check_start(&check_, on_turn_end);
  uv_idle_start(&idle_, on_turn_idle);
}

void Engine::udp_endpoints_changed() {
  maybe_close_done();
  update_active();  // last: during teardown it may free this engine
}

void Engine::schedule(Connection* conn, unsigned flags) {
  if (conn->pending_flags == 0) {
    if (pending_.empty() && hooks_head_ == nullptr) start_turn_end();
    pending_.push_back(conn);
  }
  conn->pending_flags |= flags;
}

void Engine::request_turn_hook(fa_turn_hook* hook) {
  if (hook->queued != 0 || tearing_down_) return;
  if (pending_.empty() && hooks_head_ == nullptr) start_turn_end();
  hook->queued = 1;
  hook->next = nullptr;
  if (hooks_tail_ != nullptr) hooks_tail_->next = hook;
  else hooks_head_ = hook;
  hooks_tail_ = hook;
}

void Engine::run_turn_hooks() {
  // A hook requested while the hooks run (itself included) waits for the next pass.
  fa_turn_hook* hook = hooks_head_;
  hooks_head_ = hooks_tail_ = nullptr;
  while (hook != nullptr) {
    fa_turn_hook* next = hook->next;
    hook->next = nullptr;
    hook->queued = 0;
    hook->fn(hook->arg);
    hook = next;
  }
}

void Engine::on_turn_end(uv_check_t* h) { static_cast<Engine*>(h->data)->run_pending(); }
void Engine::on_turn_idle(uv_idle_t* h) { static_cast<Engine*>(h->data)->run_pending(); }

void Engine::run_pending() {
  // Hooks first: what they write (e.g. answers to a batch of requests) is flushed below.
  if (hooks_head_ != nullptr) run_turn_hooks();
  // Work scheduled while running lands in the fresh vector and runs on the next pass.
  std::vector<Connection*> batch;
  batch.swap(pending_);
  for (Connection* conn : batch) {
    if (conn == nullptr) continue;
    unsigned flags = conn->pending_flags;
    conn->pending_flags = 0;
    conn->run_pending(flags);
  }
  if (pending_.empty()) {
    if (pending_.capacity() < batch.capacity()) pending_.swap(batch);  // keep the allocation
    pending_.clear();
    if (hooks_head_ == nullptr) {
      uv_check_stop(&check_);
      uv_idle_stop(&idle_);
    }
  }
}

void Engine::close(uint32_t grace_ms) {
  if (tearing_down_) return;
  if (closing_) {
    maybe_close_done();
    return;
  }
  closing_ = true;
  for (Listener* l : std::vector<Listener*>(listeners_)) l->close();
  // request_shutdown may close connections synchronously, so walk a snapshot.
  std::vector<Connection*> snapshot;
  for (Connection* c = conns_; c != nullptr; c = c->next) snapshot.push_back(c);
  for (Connection* c : snapshot) c->request_shutdown();
  udp_.shutdown_all();
  uv_timer_start(&grace_, on_grace_expired, grace_ms, 0);
  maybe_close_done();
}

void Engine::on_grace_expired(uv_timer_t* t) {
  auto* self = static_cast<Engine*>(t->data);
  for (Connection* c = self->conns_; c != nullptr; c = c->next) {
    c->force_close(FA_CLOSE_REASON_SHUTDOWN);
  }
  self->udp_.close_all(FA_CLOSE_REASON_SHUTDOWN);
}

void Engine::maybe_close_done() {
  if (!closing_ || tearing_down_ || conns_ != nullptr || !listeners_.empty() || !udp_.empty()) {
    return;
  }
  closing_ = false;  // the engine may listen again
  uv_timer_stop(&grace_);
  observer_->on_close_done();
}

void Engine::teardown() {
  if (tearing_down_) return;
  tearing_down_ = true;
  for (Listener* l : std::vector<Listener*>(listeners_)) l->close();
  for (Connection* c = conns_; c != nullptr; c = c->next) c->force_close(FA_CLOSE_REASON_TEARDOWN);
  udp_.close_all(FA_CLOSE_REASON_TEARDOWN);
  // Modules may free hooks and timers from now on: forget them.
  for (fa_turn_hook* hook = hooks_head_; hook != nullptr;) {
    fa_turn_hook* next = hook->next;
    hook->next = nullptr;
    hook->queued = 0;
    hook = next;
  }
  hooks_head_ = hooks_tail_ = nullptr;
  uv_check_stop(&check_);
  uv_idle_stop(&idle_);
  uv_timer_stop(&grace_);
  uv_close(reinterpret_cast<uv_handle_t*>(&check_), on_own_handle_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&idle_), on_own_handle_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&grace_), on_own_handle_closed);
  timers_.close(on_own_handle_closed, this);
}

void Engine::on_own_handle_closed(uv_handle_t* h) {
  auto* self = static_cast<Engine*>(h->data);
  self->own_handles_open_--;
  self->update_active();
}

void Engine::update_active() {
  bool active = !listeners_.empty() || conns_ != nullptr || !udp_.empty();
  if (tearing_down_) {
    if (!active && own_handles_open_ == 0) observer_->on_disposed();
    return;
  }
  if (active != active_) {
    active_ = active;
    observer_->on_active_changed(active);
  }
}

}  // namespace fasterapi
