// See connection.h.
#include "connection.h"

#include <algorithm>
#include <cstring>

#include "engine.h"
#include "engine_api.h"
#include "listener.h"

namespace fasterapi {

static constexpr size_t kMaxIov = 128;

// Marks "inside a module callback": writes made meanwhile are corked, and the first scope to
// exit flushes them in one go.
class Connection::CallbackScope {
 public:
  explicit CallbackScope(Connection* c) : c_(c) { c_->in_callback_++; }
  ~CallbackScope() {
    if (--c_->in_callback_ == 0) c_->flush();
  }
  CallbackScope(const CallbackScope&) = delete;
  CallbackScope& operator=(const CallbackScope&) = delete;

 private:
  Connection* c_;
};

Connection::Connection(Engine* engine, Listener* listener, uint64_t id)
    : fa_conn{engine_api(), nullptr, nullptr},
      engine_(engine),
      listener_(listener),
      id_(id),
      out_(engine->pool()),
      wire_(engine->pool()) {
  handle_.data = this;
  write_req_.data = this;
  shutdown_req_.data = this;
  close_timer_.fire = on_close_timer;
  close_timer_.arg = this;
  close_timer_.engine = engine->as_fa();
}

void Connection::start() {
  uv_tcp_nodelay(&handle_, 1);
  if (const TlsContext* ctx = listener_->tls()) {
    tls_ = std::make_unique<TlsSession>(*ctx);
    if (!tls_->ok()) {
      engine_->mutable_stats().tls_errors++;
      force_close(FA_CLOSE_REASON_ERROR);
      return;
    }
    // A client that never finishes the handshake must not hold the slot forever.
    engine_->timers()->start(&close_timer_, Engine::kGracefulCloseLimitMs * 2);
    start_reading();
    return;
  }
  start_reading();
  open(listener_->protocol());
}

void Connection::start_adopted(fa_protocol* proto) {
  start_reading();
  open(proto);
}

void Connection::open(fa_protocol* proto) {
  engine_->timers()->stop(&close_timer_);
  if (proto == nullptr || engine_->closing()) {
    // Nobody to talk to (no protocol registered) or shutting down: say goodbye politely.
    state_ = State::kOpen;
    close(FA_CLOSE_GRACEFUL, FA_CLOSE_REASON_LOCAL);
    return;
  }
  state_ = State::kOpen;
  protocol = proto;
  protocol_retain(protocol);
  opened_ = true;
  int refused;
  {
    CallbackScope scope(this);
    refused = proto->on_open(as_fa(), proto->data);
  }
  if (refused != 0) {
    opened_ = false;
    force_close(FA_CLOSE_REASON_LOCAL);
  }
}

void Connection::start_reading() {
  if (reading_ || eof_ || state_ == State::kClosed) return;
  if (uv_read_start(reinterpret_cast<uv_stream_t*>(&handle_), on_alloc, on_read) == 0) {
    reading_ = true;
  }
}

void Connection::stop_reading() {
  if (!reading_) return;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&handle_));
  reading_ = false;
}

void Connection::on_alloc(uv_handle_t* h, size_t /*suggested*/, uv_buf_t* buf) {
  auto* self = static_cast<Connection*>(h->data);
  // One engine-wide buffer: libuv calls alloc and read back to back, and every byte the
  // module does not consume is copied out before the next read.
  *buf = uv_buf_init(reinterpret_cast<char*>(self->engine_->read_buffer()),
                     static_cast<unsigned int>(Engine::kReadBufferSize));
}

void Connection::on_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<Connection*>(s->data);
  if (nread == 0) return;
  if (nread == UV_EOF) {
    self->handle_eof();
    return;
  }
  if (nread < 0) {
    self->reason_ = FA_CLOSE_REASON_ERROR;
    self->close_handle(true);
    return;
  }
  self->engine_->mutable_stats().bytes_in += static_cast<uint64_t>(nread);
  const auto* data = reinterpret_cast<const uint8_t*>(buf->base);
  if (self->tls_) {
    self->read_tls(data, static_cast<size_t>(nread));
  } else {
    self->deliver(data, static_cast<size_t>(nread));
  }
}

void Connection::read_tls(const uint8_t* data, size_t len) {
  tls_->feed(data, len);
  if (!tls_->handshake_done()) {
    int r = tls_->handshake();
    tls_->drain(&wire_);
    write_wire();
    if (state_ == State::kClosed) return;
    if (r == TlsSession::kError) {
      engine_->mutable_stats().tls_errors++;
      reason_ = FA_CLOSE_REASON_ERROR;
      // The alert (if any) went out with write_wire above; nothing else is owed.
      close_handle(false);
      return;
    }
    if (r == TlsSession::kWant) return;
    engine_->mutable_stats().tls_handshakes++;
    fa_protocol* proto = engine_->find_protocol(tls_->alpn());
    open(proto != nullptr ? proto : listener_->protocol());
  }
  uint8_t* plain = engine_->plain_buffer();
  while (state_ == State::kOpen || state_ == State::kClosing) {
    long n = tls_->read(plain, Engine::kReadBufferSize);
    if (n > 0) {
      deliver(plain, static_cast<size_t>(n));
      continue;
    }
    if (n == TlsSession::kPeerClosed) {
      handle_eof();
    } else if (n == TlsSession::kError) {
      engine_->mutable_stats().tls_errors++;
      reason_ = FA_CLOSE_REASON_ERROR;
      close_handle(true);
    }
    break;
  }
  // Reading can produce records of its own (TLS 1.3 tickets, alerts, key updates).
  if (state_ != State::kClosed && tls_->has_output()) {
    tls_->drain(&wire_);
    if (in_callback_ == 0) write_wire();
  }
}

void Connection::handle_eof() {
  eof_ = true;
  stop_reading();
  switch (state_) {
    case State::kHandshake:
      reason_ = FA_CLOSE_REASON_PEER;
      close_handle(false);
      return;
    case State::kOpen:
      reason_ = FA_CLOSE_REASON_PEER;
      if (handover_to_ != nullptr) return;  // the next module hears of it (complete_handover)
      if (protocol != nullptr && protocol->on_end != nullptr) {
        CallbackScope scope(this);
        protocol->on_end(as_fa());
      } else {
        close(FA_CLOSE_GRACEFUL, FA_CLOSE_REASON_PEER);
      }
      return;
    case State::kClosing:
      return;  // still flushing; finish_graceful sees eof_
    case State::kShutdown:
      close_handle(false);  // both directions done
      return;
    case State::kClosed:
      return;
  }
}

void Connection::deliver(const uint8_t* data, size_t len) {
  if (state_ != State::kOpen || protocol == nullptr) return;  // closing: input is discarded
  if (read_paused_ || !kept_.empty() || handover_to_ != nullptr) {
    kept_.insert(kept_.end(), data, data + len);
    if (!read_paused_ && handover_to_ == nullptr) dispatch_kept();
    return;
  }
  size_t used = dispatch(data, len);
  if (state_ == State::kOpen && used < len) kept_.assign(data + used, data + len);
}

void Connection::dispatch_kept() {
  size_t used = dispatch(kept_.data(), kept_.size());
  if (state_ != State::kOpen) {
    kept_.clear();
  } else {
    kept_.erase(kept_.begin(), kept_.begin() + static_cast<std::ptrdiff_t>(used));
  }
}

size_t Connection::dispatch(const uint8_t* data, size_t len) {
  size_t off = 0;
  while (state_ == State::kOpen && protocol != nullptr && off < len) {
    ptrdiff_t r;
    {
      CallbackScope scope(this);
      in_on_data_ = true;
      r = protocol->on_data(as_fa(), data + off, len - off);
      in_on_data_ = false;
    }
    if (r == FA_DATA_CLOSE) {
      close(FA_CLOSE_GRACEFUL, FA_CLOSE_REASON_LOCAL);
      return len;
    }
    if (r < 0 || static_cast<size_t>(r) > len - off) {
      // FA_DATA_ABORT, or a module bug (negative / more than offered): reset.
      reason_ = r == FA_DATA_ABORT ? FA_CLOSE_REASON_LOCAL : FA_CLOSE_REASON_ERROR;
      close_handle(true);
      return len;
    }
    off += static_cast<size_t>(r);
    // A hand-over started in on_data completes now that it returned, and the rest goes to the
    // next module; otherwise the module took what it could and waits for more bytes (or paused).
    if (handover_to_ == nullptr) break;
    complete_handover(true);
  }
  return off;
}

int Connection::after_enqueue() {
  if (in_callback_ == 0 && cork_ == 0) engine_->schedule(this, Engine::kFlush);
  if (buffered() > Engine::kHighWater) {
    backpressured_ = true;
    return FA_WRITE_BACKPRESSURE;
  }
  return FA_WRITE_OK;
}

int Connection::write(const fa_iovec* iov, size_t n) {
  if (state_ != State::kOpen) return FA_WRITE_CLOSED;
  for (size_t i = 0; i < n; i++) out_.append_copy(iov[i].base, iov[i].len);
  return after_enqueue();
}

int Connection::write_ref(const fa_iovec* iov, size_t n, fa_release_fn release, void* arg) {
  if (state_ != State::kOpen) {
    if (release != nullptr) release(arg);
    return FA_WRITE_CLOSED;
  }
  out_.append_ref(iov, n, release, arg);
  return after_enqueue();
}

void Connection::uncork() {
  if (cork_ > 0 && --cork_ == 0 && in_callback_ == 0) flush();
}

void Connection::flush() {
  if (state_ == State::kClosed || state_ == State::kHandshake) return;
  if (in_callback_ > 0 || (cork_ > 0 && state_ == State::kOpen)) return;
  if (tls_) encrypt_queued();
  write_wire();
}

void Connection::encrypt_queued() {
  // Small segments are coalesced into full-size records: one record per tiny write would
  // cost a MAC and a header each.
  uint8_t* staging = engine_->staging_buffer();
  while (!out_.empty()) {
    uv_buf_t bufs[kMaxIov];
    size_t total = 0;
    size_t n = out_.gather(bufs, kMaxIov, &total);
    size_t used = 0;
    bool ok;
    if (bufs[0].len >= BufferPool::kChunkSize / 4) {
      used = bufs[0].len;
      ok = tls_->write(reinterpret_cast<const uint8_t*>(bufs[0].base), used);
    } else {
      for (size_t i = 0; i < n && used < BufferPool::kChunkSize; i++) {
        size_t take = std::min<size_t>(bufs[i].len, BufferPool::kChunkSize - used);
        std::memcpy(staging + used, bufs[i].base, take);
        used += take;
      }
      ok = tls_->write(staging, used);
    }
    out_.consume(used);
    if (!ok) {
      engine_->mutable_stats().tls_errors++;
      reason_ = FA_CLOSE_REASON_ERROR;
      close_handle(true);
      return;
    }
  }
  tls_->drain(&wire_);
}

void Connection::write_wire() {
  if (inflight_ > 0 || state_ == State::kClosed) return;
  WriteQueue& q = tls_ ? wire_ : out_;
  auto* stream = reinterpret_cast<uv_stream_t*>(&handle_);
  if (!q.empty()) {
    uv_buf_t bufs[kMaxIov];
    size_t total = 0;
    size_t n = q.gather(bufs, kMaxIov, &total);
    int r = uv_try_write(stream, bufs, static_cast<unsigned int>(n));
    if (r > 0) {
      q.consume(static_cast<size_t>(r));
      engine_->mutable_stats().bytes_out += static_cast<uint64_t>(r);
    } else if (r < 0 && r != UV_EAGAIN) {
      reason_ = FA_CLOSE_REASON_ERROR;
      close_handle(true);
      return;
    }
    if (!q.empty()) {
      n = q.gather(bufs, kMaxIov, &total);
      if (uv_write(&write_req_, stream, bufs, static_cast<unsigned int>(n), on_write) != 0) {
        reason_ = FA_CLOSE_REASON_ERROR;
        close_handle(true);
        return;
      }
      inflight_ = total;
      return;
    }
  }
  after_write_progress(false);
}

void Connection::on_write(uv_write_t* req, int status) {
  auto* self = static_cast<Connection*>(req->data);
  size_t done = self->inflight_;
  self->inflight_ = 0;
  if (self->state_ == State::kClosed) return;  // cancelled by close; queues die with us
  if (status != 0) {
    self->reason_ = FA_CLOSE_REASON_ERROR;
    self->close_handle(true);
    return;
  }
  (self->tls_ ? self->wire_ : self->out_).consume(done);
  self->engine_->mutable_stats().bytes_out += done;
  self->after_write_progress(true);
  if (self->state_ != State::kClosed) self->flush();
}

void Connection::after_write_progress(bool from_uv_callback) {
  if (backpressured_ && buffered() <= Engine::kLowWater && state_ == State::kOpen) {
    backpressured_ = false;
    if (protocol != nullptr && protocol->on_drain != nullptr && handover_to_ == nullptr) {
      // Never call a module back from inside one of its own calls into the engine.
      if (from_uv_callback) {
        CallbackScope scope(this);
        protocol->on_drain(as_fa());
      } else {
        engine_->schedule(this, Engine::kDrain);
      }
    }
  }
  if (state_ == State::kClosing && inflight_ == 0 && buffered() == 0) finish_graceful();
}

void Connection::run_pending(unsigned flags) {
  if (state_ == State::kClosed) return;
  if ((flags & Engine::kHandover) != 0 && handover_to_ != nullptr) complete_handover(false);
  if ((flags & Engine::kRedeliver) != 0 && !read_paused_ && !kept_.empty() && handover_to_ == nullptr) {
    dispatch_kept();
  }
  if ((flags & Engine::kDrain) != 0 && state_ == State::kOpen && protocol != nullptr &&
      handover_to_ == nullptr && protocol->on_drain != nullptr) {
    CallbackScope scope(this);
    protocol->on_drain(as_fa());
  }
  if ((flags & Engine::kFlush) != 0) flush();
}

void Connection::close(int mode, fa_close_reason reason) {
  if (state_ == State::kClosed) return;
  if (mode != FA_CLOSE_GRACEFUL) {
    if (state_ == State::kOpen || state_ == State::kHandshake) reason_ = reason;
    close_handle(true);
    return;
  }
  if (state_ != State::kOpen && state_ != State::kHandshake) return;  // already closing
  if (reason_ != FA_CLOSE_REASON_PEER) reason_ = reason;
  state_ = State::kClosing;
  cork_ = 0;
  kept_.clear();
  // Keep reading (and discarding) so the peer's late bytes do not turn our FIN into a RST
  // that could destroy the response still in its receive buffer.
  read_paused_ = false;
  start_reading();
  engine_->timers()->start(&close_timer_, Engine::kGracefulCloseLimitMs);
  if (in_callback_ == 0) flush();
}

void Connection::finish_graceful() {
  if (tls_ && !close_notify_sent_) {
    close_notify_sent_ = true;
    tls_->send_close_notify();
    tls_->drain(&wire_);
    if (!wire_.empty()) {
      write_wire();
      return;
    }
  }
  state_ = State::kShutdown;
  if (uv_shutdown(&shutdown_req_, reinterpret_cast<uv_stream_t*>(&handle_), on_shutdown_done) !=
      0) {
    close_handle(false);
  }
}

void Connection::on_shutdown_done(uv_shutdown_t* req, int status) {
  auto* self = static_cast<Connection*>(req->data);
  if (self->state_ == State::kClosed) return;
  // FIN sent; wait for the peer's (bounded by the close timer) unless it already came.
  if (status != 0 || self->eof_) self->close_handle(false);
}

void Connection::request_shutdown() {
  if (state_ == State::kHandshake) {
    reason_ = FA_CLOSE_REASON_SHUTDOWN;
    close_handle(true);
    return;
  }
  if (state_ != State::kOpen || handover_to_ != nullptr) return;  // complete_handover asks the next module
  if (protocol != nullptr && protocol->on_shutdown != nullptr) {
    CallbackScope scope(this);
    protocol->on_shutdown(as_fa());
  } else {
    close(FA_CLOSE_GRACEFUL, FA_CLOSE_REASON_LOCAL);
  }
}

void Connection::force_close(fa_close_reason reason) {
  if (state_ == State::kClosed) return;
  reason_ = reason;
  close_handle(true);
}

void Connection::pause_reading() {
  if (state_ != State::kOpen) return;
  read_paused_ = true;
  stop_reading();
}

void Connection::resume_reading() {
  if (state_ != State::kOpen || !read_paused_) return;
  read_paused_ = false;
  start_reading();
  // Bytes kept while paused may hold whole messages: hand them over on a later turn, never
  // from inside this call. Inside on_data the unconsumed tail is not in kept_ yet.
  if (!kept_.empty() || in_callback_ > 0) engine_->schedule(this, Engine::kRedeliver);
}

void Connection::on_close_timer(fa_timer* /*timer*/, void* arg) {
  // The TLS handshake or a graceful close took too long.
  static_cast<Connection*>(arg)->close_handle(true);
}

int Connection::handover(fa_protocol* next, const void* handoff, size_t len) {
  if (state_ != State::kOpen || !opened_ || handover_to_ != nullptr || !protocol_usable(next)) return -1;
  protocol_retain(next);
  handover_to_ = next;
  handoff_.assign(static_cast<const uint8_t*>(handoff), static_cast<const uint8_t*>(handoff) + (handoff ? len : 0));
  opened_ = false;  // the current module let go: it gets no on_close
  // Inside on_data it completes when on_data returns (see dispatch); elsewhere at the end of
  // the turn, so no module is ever called back from inside a call it made.
  if (!in_on_data_) engine_->schedule(this, Engine::kHandover);
  return 0;
}

void Connection::complete_handover(bool from_dispatch) {
  fa_protocol* next = handover_to_;
  handover_to_ = nullptr;
  protocol_release(protocol);
  protocol = next;  // the reference taken in handover() moves here
  user_data = nullptr;
  std::vector<uint8_t> blob;
  blob.swap(handoff_);
  // The next module starts with reading on, whatever the previous one had paused.
  read_paused_ = false;
  start_reading();
  opened_ = true;
  int refused;
  {
    CallbackScope scope(this);
    refused = next->on_handover != nullptr
                  ? next->on_handover(as_fa(), next->data, blob.empty() ? nullptr : blob.data(), blob.size())
                  : next->on_open(as_fa(), next->data);
  }
  if (refused != 0) {
    opened_ = false;
    force_close(FA_CLOSE_REASON_LOCAL);
    return;
  }
  // What the next module is owed: the kept bytes (dispatch hands on the rest of its own input
  // itself), then an EOF or a shutdown the previous module was no longer told about.
  if (!from_dispatch) {
    if (!kept_.empty()) dispatch_kept();
    if (eof_ && state_ == State::kOpen) handle_eof();
  }
  if (state_ == State::kOpen && engine_->closing()) request_shutdown();
}

int Connection::remote_address(char* ip, size_t ip_len, int* port) {
  sockaddr_storage addr;
  int len = sizeof addr;
  if (uv_tcp_getpeername(&handle_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return -1;
  if (addr.ss_family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&addr);
    if (uv_ip4_name(a, ip, ip_len) != 0) return -1;
    if (port != nullptr) *port = ntohs(a->sin_port);
    return 0;
  }
  auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
  if (uv_ip6_name(a, ip, ip_len) != 0) return -1;
  if (port != nullptr) *port = ntohs(a->sin6_port);
  return 0;
}

int Connection::local_port() {
  sockaddr_storage addr;
  int len = sizeof addr;
  if (uv_tcp_getsockname(&handle_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return -1;
  return addr.ss_family == AF_INET ? ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port)
                                   : ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
}

void Connection::close_handle(bool reset) {
  if (state_ == State::kClosed) return;
  bool was_shutdown = state_ == State::kShutdown;
  state_ = State::kClosed;
  engine_->timers()->stop(&close_timer_);
  stop_reading();
  auto* h = reinterpret_cast<uv_handle_t*>(&handle_);
  // RST only when bytes may be lost anyway; a completed shutdown already sent FIN.
  if (reset && !was_shutdown && uv_tcp_close_reset(&handle_, on_handle_closed) == 0) return;
  uv_close(h, on_handle_closed);
}

void Connection::on_handle_closed(uv_handle_t* h) {
  auto* self = static_cast<Connection*>(h->data);
  if (self->opened_ && self->protocol != nullptr) {
    self->opened_ = false;
    self->protocol->on_close(self->as_fa(), self->reason_);
  }
  protocol_release(self->protocol);
  self->protocol = nullptr;
  protocol_release(self->handover_to_);  // a hand-over that never completed
  self->handover_to_ = nullptr;
  self->out_.clear();
  self->wire_.clear();
  self->engine_->connection_gone(self);
  delete self;
}

}  // namespace fasterapi
