// HTTP/1.1 over the engine ABI: see http1_module.h. Flow per connection: on_data parses heads
// into one batch for JS, then (only when JS asks) streams the newest request's body; responses
// are written in request order, each in one corked write; timers bound slow clients.
#include "http1_module.h"

#include <cstdio>
#include <cstring>

#include "fasterapi/protocol_table.h"

namespace fasterapi::http1 {
namespace {


inline Conn* conn_of(fa_conn* fc) { return static_cast<Conn*>(fc->user_data); }

// Nothing owed to JS on the input side: no body, or only the rest of an unread one to skip.
inline bool body_idle(const Conn* c) { return c->body == BodyState::kNone || c->body == BodyState::kDiscard; }

}  // namespace

Pending* Conn::find(uint32_t seq) {
  for (uint32_t i = 0; i < q_count; ++i) {
    Pending& p = queue[(q_head + i) % kMaxPipeline];
    if (p.seq == seq) return &p;
  }
  return nullptr;
}

Module::Module(const fa_engine_api* engine_api, const ModuleOptions& options) : api(engine_api), opts(options) {
  out.reserve(4096);
  batch_bytes.reserve(16 * 1024);
  batch_meta.reserve(512);
  body_bytes.reserve(64 * 1024);
}

Conn* Module::lookup(double handle) const {
  Conn* c = handles.find(handle);
  return c != nullptr && !c->closed ? c : nullptr;
}

bool Module::body_unfinished(const Conn* c, uint32_t seq) const {
  return c->body != BodyState::kNone && c->body != BodyState::kDiscard && c->body != BodyState::kUpgrade &&
         c->body_seq == seq;
}

// Answered before JS asked for the body: a small Content-Length body is skipped so the connection
// stays usable. Not after a 100-continue expectation (the client may never send the body), not
// for chunked or large bodies (closing is cheaper than reading them).
void Module::discard_unread_body(Conn* c, uint32_t seq) {
  if (c->body != BodyState::kWaiting || c->body_seq != seq || c->body_chunked || c->expect_continue ||
      c->body_remaining > kDiscardLimit) {
    return;
  }
  c->body = BodyState::kDiscard;
  update_reading(c);
}

int Module::write_to(Conn* c, Pending& p, const char* a, size_t a_len, const char* b, size_t b_len) {
  if (&p != &c->head()) {
    p.buffered.append(a, a_len);
    if (b_len != 0) p.buffered.append(b, b_len);
    return FA_WRITE_OK;
  }
  fa_iovec iov[2] = {{reinterpret_cast<const uint8_t*>(a), a_len}, {reinterpret_cast<const uint8_t*>(b), b_len}};
  const int r = api->conn_write(c->conn, iov, b_len != 0 ? 2 : 1);
  if (r != FA_WRITE_CLOSED) stats.bytes_out += static_cast<double>(a_len + b_len);
  return r;
}

void Module::close_conn(Conn* c) {
  if (c->closed || c->closing) return;
  c->no_more_requests = true;
  c->closing = true;
  // Nothing is awaited any more: the engine bounds the graceful close itself.
  api->timer_stop(&c->wait_timer);
  api->timer_stop(&c->body_timer);
  c->timer = Conn::Timer::kNone;
  c->body_timer_armed = false;
  // Inside on_data the return value (FA_DATA_CLOSE) closes; elsewhere close now, after the flush.
  if (!c->in_on_data) api->conn_close(c->conn, FA_CLOSE_GRACEFUL);
}

void Module::deliver_batch() {
  if (batch_count == 0) return;
  std::vector<double> conns;
  conns.swap(batch_conns);
  for (double h : conns)
    if (Conn* c = lookup(h); c != nullptr && !c->closed) api->conn_cork(c->conn);
  js_requests(this);
  for (double h : conns)
    if (Conn* c = lookup(h); c != nullptr && !c->closed) api->conn_uncork(c->conn);
  conns.clear();
  if (batch_conns.empty()) batch_conns.swap(conns);  // keep the capacity
}

void Module::clear_batch() {
  batch_bytes.clear();
  batch_meta.clear();
  batch_count = 0;
  batch_urgent = false;
  batch_conn = -1;
}

// Pops every finished response at the head of the queue, flushing what the next one buffered.
void Module::complete_heads(Conn* c) {
  while (c->q_count > 0 && c->head().done) {
    Pending& done = c->head();
    const bool keep = done.keep_alive;
    // A refused upgrade was answered like any request: what follows it is HTTP/1.1 again.
    if (c->body == BodyState::kUpgrade && done.seq == c->body_seq) c->body = BodyState::kNone;
    done.buffered.clear();
    c->q_head = (c->q_head + 1) % kMaxPipeline;
    --c->q_count;
    ++c->served;
    if (!keep) {
      close_conn(c);
      return;
    }
    if (c->q_count == 0) break;
    Pending& next = c->head();
    int r = FA_WRITE_OK;
    if (!next.buffered.empty()) {
      fa_iovec iov{reinterpret_cast<const uint8_t*>(next.buffered.data()), next.buffered.size()};
      r = api->conn_write(c->conn, &iov, 1);
      if (r != FA_WRITE_CLOSED) stats.bytes_out += static_cast<double>(iov.len);
      next.buffered.clear();
    }
    // A stream told to wait while it was queued may go on now, unless the engine will send
    // on_drain itself (it reported backpressure for this very write).
    if (next.drain_wanted && !next.done && r != FA_WRITE_BACKPRESSURE) {
      next.drain_wanted = false;
      js_drain(this, c);
    }
  }
  if (c->close_when_idle && c->q_count == 0 && body_idle(c)) {
    close_conn(c);
    return;
  }
  update_reading(c);
  arm_wait_timer(c);
}

// Idle (keep-alive) timer when nothing is owed and nothing has arrived; header timer once a head
// has started; none while JS works on a request.
// Inside on_data nothing is armed: `kept` is only known once it returns, and it arms then.
void Module::arm_wait_timer(Conn* c) {
  if (c->closed || c->in_on_data) return;
  Conn::Timer want = Conn::Timer::kNone;
  if (c->q_count == 0 && body_idle(c) && !c->no_more_requests) {
    want = (c->kept > 0 || c->served == 0) ? Conn::Timer::kHeader : Conn::Timer::kIdle;
  }
  if (want == c->timer && (want == Conn::Timer::kNone || c->timer_epoch == c->next_seq)) return;
  c->timer_epoch = c->next_seq;
  if (want == Conn::Timer::kIdle && opts.keep_alive_timeout_ms == 0) want = Conn::Timer::kNone;
  // One timer for both kinds: starting it again re-arms it (one heap move, no allocation).
  if (want == Conn::Timer::kNone) api->timer_stop(&c->wait_timer);
  else api->timer_start(&c->wait_timer, want == Conn::Timer::kHeader ? opts.header_timeout_ms : opts.keep_alive_timeout_ms);
  c->timer = want;
}

// Reading pauses while JS has not asked for a pending body (or refused it) and while the
// pipeline is full; it resumes when that changes. Inside on_data the engine keeps the rest.
void Module::update_reading(Conn* c) {
  if (c->closed) return;
  const bool hold = c->body == BodyState::kWaiting || c->body == BodyState::kPaused ||
                    c->body == BodyState::kFailed || c->body == BodyState::kUpgrade || c->q_count >= kMaxPipeline;
  if (hold && !c->paused) {
    api->conn_pause_reading(c->conn);
    c->paused = true;
  } else if (!hold && c->paused && !c->in_on_data) {
    c->paused = false;
    api->conn_resume_reading(c->conn);
  }
}

void Module::queue_error(Conn* c, int status) {
  stats.parse_errors += 1;
  c->no_more_requests = true;
  if (c->q_count >= kMaxPipeline) {  // cannot even queue the answer: just close
    close_conn(c);
    return;
  }
  Pending& p = c->queue[(c->q_head + c->q_count) % kMaxPipeline];
  p = Pending{};
  p.seq = c->next_seq++;
  ++c->q_count;
  head.begin(out, status);
  head.finish(out, Framing::kContentLength, 0, false, date);
  p.started = true;
  write_to(c, p, out.data(), out.size(), nullptr, 0);
  p.done = true;
  complete_heads(c);
}

bool Module::send(Conn* c, uint32_t seq, int status, ResponseHead& h, const char* body, size_t body_len,
                  bool has_body) {
  Pending* p = c->find(seq);
  if (p == nullptr || p->started) return false;
  p->started = true;
  Framing framing = Framing::kContentLength;
  uint64_t length = body_len;
  bool write_body = true;
  if (status_has_no_body(status)) {
    framing = Framing::kNone;
    write_body = false;
  } else if (p->head_method) {
    // HEAD: the length GET would have (the caller's, or the body given), never the bytes.
    write_body = false;
    if (h.has_caller_content_length()) length = static_cast<uint64_t>(h.caller_content_length());
    else if (!has_body) framing = Framing::kNone;
  }
  discard_unread_body(c, seq);
  const bool want_alive = p->keep_alive && !c->close_when_idle && !body_unfinished(c, seq);
  p->keep_alive = h.finish(out, framing, length, want_alive, date);
  write_to(c, *p, out.data(), out.size(), write_body ? body : nullptr, write_body ? body_len : 0);
  p->done = true;
  if (body_unfinished(c, seq)) c->no_more_requests = true;
  if (p == &c->head()) complete_heads(c);
  return true;
}

bool Module::start_stream(Conn* c, uint32_t seq, int status) {
  Pending* p = c->find(seq);
  if (p == nullptr || p->started) return false;
  p->started = true;
  Framing framing = Framing::kChunked;
  discard_unread_body(c, seq);
  bool want_alive = p->keep_alive && !c->close_when_idle && !body_unfinished(c, seq);
  if (status_has_no_body(status) || p->head_method) {
    framing = Framing::kNone;
    p->no_body = true;
  } else if (p->http10) {
    framing = Framing::kNone;  // HTTP/1.0 has no chunked coding: the close delimits the body
    want_alive = false;
  } else {
    p->chunked = true;
  }
  p->keep_alive = head.finish(out, framing, 0, want_alive, date);
  write_to(c, *p, out.data(), out.size(), nullptr, 0);
  if (body_unfinished(c, seq)) c->no_more_requests = true;
  return true;
}

bool Module::informational(Conn* c, uint32_t seq, const std::string& bytes) {
  Pending* p = c->find(seq);
  // HTTP/1.0 knows no 1xx answers (RFC 9110 15.2): nothing is sent to such a client.
  if (p == nullptr || p->started || p->http10) return false;
  write_to(c, *p, bytes.data(), bytes.size(), nullptr, 0);
  return true;
}

int Module::write_chunk(Conn* c, uint32_t seq, const char* data, size_t len) {
  Pending* p = c->find(seq);
  if (p == nullptr || !p->started || p->done) return -1;
  if (len != 0 && !p->no_body) {
    if (p->chunked) {
      char size_line[24];
      const int n = std::snprintf(size_line, sizeof size_line, "%zx\r\n", len);
      if (p == &c->head()) {
        fa_iovec iov[3] = {{reinterpret_cast<const uint8_t*>(size_line), static_cast<size_t>(n)},
                           {reinterpret_cast<const uint8_t*>(data), len},
                           {reinterpret_cast<const uint8_t*>("\r\n"), 2}};
        const int r = api->conn_write(c->conn, iov, 3);
        if (r == FA_WRITE_CLOSED) return -1;
        stats.bytes_out += static_cast<double>(static_cast<size_t>(n) + len + 2);
        return r == FA_WRITE_BACKPRESSURE ? 0 : 1;  // the engine sends on_drain after backpressure
      }
      p->buffered.append(size_line, static_cast<size_t>(n));
      p->buffered.append(data, len);
      p->buffered.append("\r\n", 2);
    } else {
      const int r = write_to(c, *p, data, len, nullptr, 0);
      if (r == FA_WRITE_CLOSED) return -1;
      if (p == &c->head()) return r == FA_WRITE_BACKPRESSURE ? 0 : 1;
    }
  } else if (p == &c->head()) {
    return 1;
  }
  // Queued behind an unfinished earlier response: bounded by our own buffer.
  if (p->buffered.size() < kQueuedHighWater) return 1;
  p->drain_wanted = true;
  return 0;
}

bool Module::end_stream(Conn* c, uint32_t seq, const std::string& last_chunk) {
  Pending* p = c->find(seq);
  if (p == nullptr || !p->started || p->done) return false;
  // HTTP/1.0 and bodiless answers have no last chunk, so their trailers are dropped, as node:http does.
  if (p->chunked) write_to(c, *p, last_chunk.data(), last_chunk.size(), nullptr, 0);
  if (!p->chunked && !p->no_body) p->keep_alive = false;  // close-delimited body ends with the close
  p->done = true;
  if (p == &c->head()) complete_heads(c);
  return true;
}

ReadBodyResult Module::read_body(Conn* c, uint32_t seq, uint64_t limit) {
  if (c->body != BodyState::kWaiting || c->body_seq != seq) return ReadBodyResult::kGone;
  c->body_limit = limit;
  if (!c->body_chunked && c->body_remaining > limit) {
    // Known too large before reading a byte: refuse without sending 100-continue.
    c->body = BodyState::kFailed;
    c->no_more_requests = true;
    update_reading(c);
    return ReadBodyResult::kTooLarge;
  }
  if (c->expect_continue) {
    c->expect_continue = false;
    Pending* p = c->find(seq);
    if (p != nullptr && !p->started) write_to(c, *p, "HTTP/1.1 100 Continue\r\n\r\n", 25, nullptr, 0);
  }
  c->body = BodyState::kReading;
  if (opts.body_timeout_ms != 0) {
    api->timer_start(&c->body_timer, opts.body_timeout_ms);
    c->body_timer_armed = true;
  }
  update_reading(c);
  return ReadBodyResult::kStarted;
}

bool Module::upgrade(Conn* c, uint32_t seq, fa_protocol* next, const char* head, size_t head_len,
                     const uint8_t* handoff, size_t handoff_len) {
  if (c->body != BodyState::kUpgrade || c->body_seq != seq || c->q_count != 1 || c->head().started) return false;
  const fa_iovec iov = {reinterpret_cast<const uint8_t*>(head), head_len};
  if (api->conn_write(c->conn, &iov, 1) == FA_WRITE_CLOSED) return false;
  if (api->conn_handover(c->conn, next, handoff, handoff_len) != 0) {
    close_conn(c);  // the 101 is queued: the connection cannot go back to HTTP/1.1
    return false;
  }
  stats.bytes_out += static_cast<double>(head_len);
  c->q_count = 0;
  // From the hand-over on the engine calls this module no more for `c`, not even on_close.
  if (c->in_on_data) c->handed_over = true;
  else forget(c);
  return true;
}

void Module::forget(Conn* c) {
  api->timer_stop(&c->wait_timer);
  api->timer_stop(&c->body_timer);
  handles.remove(c->handle);
  stats.active_connections -= 1;
  delete c;
}

void Module::schedule_batch(Conn* c) { api->turn_hook_request(c->engine, &turn_hook); }

void Module::resume_body(Conn* c) {
  if (c->body != BodyState::kPaused) return;
  c->body = BodyState::kReading;
  update_reading(c);
}

// ---- engine callbacks -----------------------------------------------------------------------

namespace {

// Appends one parsed request to the module's batch for JS.
void add_to_batch(Module* m, Conn* c, const char* head, uint32_t head_len, const Request& r, uint32_t seq) {
  auto& meta = m->batch_meta;
  if (m->batch_count == 0 || m->batch_conn != c->handle) {
    const auto handle = static_cast<uint64_t>(c->handle);
    m->batch_conn = c->handle;
    m->batch_group = meta.size();
    m->batch_conns.push_back(c->handle);
    meta.push_back(static_cast<uint32_t>(handle & 0xffffffffu));
    meta.push_back(static_cast<uint32_t>(handle >> 32));
    meta.push_back(0);
  }
  ++meta[m->batch_group + 2];
  if (r.body != BodyKind::kNone || r.upgrade) m->batch_urgent = true;
  const uint32_t base = static_cast<uint32_t>(m->batch_bytes.size());
  m->batch_bytes.append(head, head_len);
  uint32_t flags = 0;
  if (r.body != BodyKind::kNone) flags |= kFlagHasBody;
  if (r.path_needs_slash) flags |= kFlagPathNeedsSlash;
  if (r.upgrade && r.body == BodyKind::kNone) flags |= kFlagUpgrade;
  meta.push_back(seq);
  meta.push_back(flags);
  meta.push_back(static_cast<uint32_t>(r.content_length & 0xffffffffu));
  meta.push_back(static_cast<uint32_t>(r.content_length >> 32));
  meta.push_back(base + r.method.off);
  meta.push_back(r.method.len);
  meta.push_back(base + r.path.off);
  meta.push_back(r.path.len);
  meta.push_back(r.num_headers);
  for (uint32_t i = 0; i < r.num_headers; ++i) {
    meta.push_back(base + r.headers[i].name.off);
    meta.push_back(r.headers[i].name.len);
    meta.push_back(base + r.headers[i].value.off);
    meta.push_back(r.headers[i].value.len);
  }
  ++m->batch_count;
}

// Feeds body bytes of the current request; returns the new position.
size_t feed_body(Module* m, Conn* c, const char* buf, size_t len, size_t pos) {
  if (!c->body_chunked) {
    const size_t avail = len - pos;
    const size_t n = avail < c->body_remaining ? avail : static_cast<size_t>(c->body_remaining);
    if (c->body_received + n > c->body_limit) {
      c->body = BodyState::kFailed;
      c->body_events |= kBodyLimit;
      c->no_more_requests = true;
      return pos;
    }
    m->body_bytes.append(buf + pos, n);
    c->body_remaining -= n;
    c->body_received += n;
    if (c->body_remaining == 0) {
      c->body = BodyState::kNone;
      c->body_events |= kBodyEnd;
    }
    return pos + n;
  }
  while (pos < len) {
    const ChunkedDecoder::Step s = c->chunked.step(buf + pos, len - pos);
    if (s.status == ChunkedDecoder::Status::kError) {
      c->body = BodyState::kFailed;
      c->body_events |= kBodyMalformed;
      c->no_more_requests = true;
      return pos;
    }
    if (s.status == ChunkedDecoder::Status::kData) {
      if (c->body_received + s.data_len > c->body_limit) {
        c->body = BodyState::kFailed;
        c->body_events |= kBodyLimit;
        c->no_more_requests = true;
        return pos;
      }
      m->body_bytes.append(buf + pos + s.data_off, s.data_len);
      c->body_received += s.data_len;
    }
    pos += s.consumed;
    if (s.status == ChunkedDecoder::Status::kDone) {
      c->body = BodyState::kNone;
      c->body_events |= kBodyEnd;
      // Copied out: the next request's head may reset the decoder before JS hears of the end.
      m->body_trailers.assign(c->chunked.trailers());
      return pos;
    }
    if (s.status == ChunkedDecoder::Status::kNeedMore) return pos;
  }
  return pos;
}

// Parses and feeds as much of buf[pos..len) as the connection state allows.
size_t consume(Module* m, Conn* c, const char* buf, size_t len, size_t pos) {
  while (pos < len && !c->closed) {
    if (c->body == BodyState::kReading) {
      pos = feed_body(m, c, buf, len, pos);
      // A body's end reaches JS before the next head is parsed: that head would take body_seq over.
      if (c->body != BodyState::kNone || c->body_events != 0) return pos;
      continue;
    }
    if (c->body == BodyState::kDiscard) {
      const size_t avail = len - pos;
      const size_t n = avail < c->body_remaining ? avail : static_cast<size_t>(c->body_remaining);
      c->body_remaining -= n;
      pos += n;
      if (c->body_remaining == 0) c->body = BodyState::kNone;
      continue;
    }
    if (c->body != BodyState::kNone) return pos;  // waiting for JS, paused or failed
    if (c->no_more_requests) return len;          // a close is decided: drop what follows
    if (c->q_count >= kMaxPipeline) return pos;
    Request& r = m->req;
    const ParseResult res = parse_request(buf + pos, len - pos, m->opts.limits, r, c->scanned);
    if (res.incomplete()) {
      if (c->timer == Conn::Timer::kIdle) {  // a new head has started: the header timeout applies
        m->api->timer_start(&c->wait_timer, m->opts.header_timeout_ms);
        c->timer = Conn::Timer::kHeader;
        c->timer_epoch = c->next_seq;
      }
      return pos;
    }
    if (res.error != Error::kNone) {
      m->queue_error(c, error_status(res.error));
      return len;
    }
    c->scanned = 0;
    const uint32_t seq = c->next_seq++;
    Pending& p = c->queue[(c->q_head + c->q_count) % kMaxPipeline];
    p = Pending{};
    p.seq = seq;
    p.keep_alive = r.keep_alive;
    p.http10 = r.version_minor == 0;
    p.head_method = r.method.len == 4 && std::memcmp(buf + pos + r.method.off, "HEAD", 4) == 0;
    ++c->q_count;
    m->stats.requests += 1;
    add_to_batch(m, c, buf + pos, res.consumed, r, seq);
    pos += res.consumed;
    if (r.body != BodyKind::kNone) {
      c->body = BodyState::kWaiting;
      c->body_seq = seq;
      c->body_chunked = r.body == BodyKind::kChunked;
      c->body_remaining = r.content_length;
      c->body_received = 0;
      c->expect_continue = r.expect_continue;
      c->chunked.reset();
    } else if (r.upgrade) {
      c->body = BodyState::kUpgrade;
      c->body_seq = seq;
    }
    const bool last_allowed = m->opts.max_requests_per_conn != 0 && c->next_seq >= m->opts.max_requests_per_conn;
    if (!r.keep_alive || last_allowed) {
      c->no_more_requests = true;
      if (last_allowed) p.keep_alive = false;
    }
  }
  return pos;
}

void on_wait_timeout(fa_timer* timer, void* arg);
void on_body_timeout(fa_timer* timer, void* arg);

int on_open(fa_conn* fc, void* data) {
  Module* m = static_cast<Module*>(data);
  Conn* c = new Conn();
  c->mod = m;
  c->conn = fc;
  c->engine = m->api->conn_engine(fc);
  m->api->timer_init(c->engine, &c->wait_timer, on_wait_timeout, c);
  m->api->timer_init(c->engine, &c->body_timer, on_body_timeout, c);
  c->handle = m->handles.add(c);
  int port = 0;
  if (m->api->conn_remote_address(fc, c->remote, sizeof c->remote, &port) != 0) c->remote[0] = '\0';
  m->api->conn_set_user_data(fc, c);
  m->stats.connections += 1;
  m->stats.active_connections += 1;
  m->arm_wait_timer(c);
  return 0;
}

// Answers `seq` with a bodiless error response in its turn (e.g. a malformed chunked body).
void fail_request(Module* m, Conn* c, uint32_t seq, int status) {
  Pending* p = c->find(seq);
  if (p == nullptr || p->started) return;
  m->head.begin(m->out, status);
  m->head.finish(m->out, Framing::kContentLength, 0, false, m->date);
  p->started = true;
  p->keep_alive = false;
  m->write_to(c, *p, m->out.data(), m->out.size(), nullptr, 0);
  p->done = true;
  if (p == &c->head()) m->complete_heads(c);
}

void deliver_body(Module* m, Conn* c) {
  const uint32_t events = c->body_events;
  c->body_events = 0;
  // The 400 is ours, decided before JS hears of it: its error path must not answer first.
  if (events & kBodyMalformed) fail_request(m, c, c->body_seq, 400);
  const bool want_more = js_body(m, c, c->body_seq, events);
  m->body_bytes.clear();
  m->body_trailers.clear();
  if (!want_more && c->body == BodyState::kReading) c->body = BodyState::kPaused;
}

ptrdiff_t on_data(fa_conn* fc, const uint8_t* data, size_t len) {
  Conn* c = conn_of(fc);
  Module* m = c->mod;
  if (len > c->kept) m->stats.bytes_in += static_cast<double>(len - c->kept);
  c->in_on_data = true;
  const char* buf = reinterpret_cast<const char*>(data);
  size_t pos = 0;
  // JS may ask for a body (or answer) during a crossing, so parsing can resume after one.
  for (;;) {
    const size_t before = pos;
    pos = consume(m, c, buf, len, pos);
    bool crossed = false;
    if (m->batch_urgent) {
      m->deliver_batch();
      crossed = true;
    } else if (m->batch_count != 0) {
      m->schedule_batch(c);
    }
    if (!m->body_bytes.empty() || c->body_events != 0) {
      deliver_body(m, c);
      crossed = true;
    }
    if (c->closing || pos >= len || (pos == before && !crossed)) break;
  }
  c->in_on_data = false;
  if (c->handed_over) {  // JS upgraded it during a crossing: the rest is the next protocol's
    m->forget(c);
    return static_cast<ptrdiff_t>(pos);
  }
  c->kept = len - pos;
  if (c->body_timer_armed && c->body != BodyState::kReading && c->body != BodyState::kPaused) {
    m->api->timer_stop(&c->body_timer);
    c->body_timer_armed = false;
  }
  if (c->closing) return FA_DATA_CLOSE;
  m->update_reading(c);
  m->arm_wait_timer(c);
  return static_cast<ptrdiff_t>(pos);
}

void on_drain(fa_conn* fc) {
  Conn* c = conn_of(fc);
  if (c->q_count == 0) return;
  c->head().drain_wanted = false;
  js_drain(c->mod, c);
}

void on_end(fa_conn* fc) {
  Conn* c = conn_of(fc);
  Module* m = c->mod;
  c->no_more_requests = true;
  if (c->body == BodyState::kReading || c->body == BodyState::kWaiting || c->body == BodyState::kPaused) {
    c->body = BodyState::kFailed;  // the peer will send no more of this body
    c->body_events |= kBodyAborted;
    deliver_body(m, c);
  }
  if (c->q_count == 0) m->close_conn(c);
  else c->close_when_idle = true;
}

// The body did not arrive within the request timeout: 408 in its turn, then close.
void on_body_timeout(fa_timer* /*timer*/, void* arg) {
  Conn* c = static_cast<Conn*>(arg);
  c->body_timer_armed = false;
  if (c->body != BodyState::kReading && c->body != BodyState::kPaused) return;
  c->body = BodyState::kFailed;
  c->no_more_requests = true;
  fail_request(c->mod, c, c->body_seq, 408);
  c->body_events |= kBodyAborted;
  deliver_body(c->mod, c);
}

void on_wait_timeout(fa_timer* /*timer*/, void* arg) {
  Conn* c = static_cast<Conn*>(arg);
  const Conn::Timer kind = c->timer;
  c->timer = Conn::Timer::kNone;
  // A partial head gets 408 (RFC 9110 section 15.5.9); a silent or idle connection just closes.
  if (kind == Conn::Timer::kHeader && c->kept > 0 && c->q_count == 0) {
    c->mod->queue_error(c, 408);
    return;
  }
  c->mod->close_conn(c);
}

void on_shutdown(fa_conn* fc) {
  Conn* c = conn_of(fc);
  c->no_more_requests = true;
  if (c->q_count == 0 && body_idle(c)) c->mod->close_conn(c);
  else c->close_when_idle = true;
}

void on_close(fa_conn* fc, fa_close_reason reason) {
  Conn* c = conn_of(fc);
  Module* m = c->mod;
  c->closed = true;
  // JS keeps per-connection state once it has seen a request; this is its cue to drop it (and to
  // abort whatever was still owed).
  if (c->next_seq > 0 && reason != FA_CLOSE_REASON_TEARDOWN) js_closed(m, c);
  m->forget(c);
}

struct Callbacks : RefCounted<Module> {
  static constexpr auto on_open = http1::on_open;
  static constexpr auto on_data = http1::on_data;
  static constexpr auto on_drain = http1::on_drain;
  static constexpr auto on_end = http1::on_end;
  static constexpr auto on_shutdown = http1::on_shutdown;
  static constexpr auto on_close = http1::on_close;
};

}  // namespace

void init_protocol(Module* m) {
  m->proto = protocol_table<Callbacks>("http/1.1", m);
  m->turn_hook.fn = [](void* arg) { static_cast<Module*>(arg)->deliver_batch(); };
  m->turn_hook.arg = m;
}

void module_release(Module* m) {
  if (--m->refs > 0) return;
  js_release(m);
  delete m;
}

}  // namespace fasterapi::http1
