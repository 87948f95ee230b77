// HTTP/2 over the engine ABI: see h2_module.h. Lifetimes: nghttp2 reports a stream's end inside
// mem_recv/session_send, and JS (called from the module) may answer or end other streams, so closed
// streams and sessions are unlinked at once but freed only when the outermost entry (an engine
// callback, the turn hook or a JS call: EntryGuard) returns. Nothing is freed under a caller.
#include "h2_module.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "fasterapi/protocol_table.h"

namespace fasterapi::http2 {
namespace {

constexpr uint32_t kNoError = NGHTTP2_NO_ERROR;
/** What nghttp2 is told of SETTINGS_MAX_CONCURRENT_STREAMS (see advertise_stream_limit). */
constexpr uint32_t kUnlimitedStreams = 0xffffffffu;
/** Bytes a connection may have queued in the engine before the module stops handing it frames. */
constexpr size_t kWriteBudget = 256 * 1024;

// nghttp2 enforces the SETTINGS_MAX_CONCURRENT_STREAMS it sends with a connection error, where RFC
// 9113 5.1.2 asks for a stream error. So nghttp2 is given no limit, the module refuses excess
// streams itself (on_begin_headers), and the client is told the real limit: this rewrites the
// value in the server's first SETTINGS frame, the first bytes nghttp2 produces for a session.
void advertise_stream_limit(uint8_t* frame, size_t len, uint32_t limit) {
  if (len < 9 || frame[3] != NGHTTP2_SETTINGS) return;
  const size_t payload = (size_t{frame[0]} << 16) | (size_t{frame[1]} << 8) | frame[2];
  for (size_t at = 9; at + 6 <= 9 + payload && at + 6 <= len; at += 6) {
    if (frame[at] != 0 || frame[at + 1] != NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS) continue;
    frame[at + 2] = static_cast<uint8_t>(limit >> 24);
    frame[at + 3] = static_cast<uint8_t>(limit >> 16);
    frame[at + 4] = static_cast<uint8_t>(limit >> 8);
    frame[at + 5] = static_cast<uint8_t>(limit);
  }
}

inline Session* session_of(fa_conn* fc) { return static_cast<Session*>(fc->user_data); }
inline Session* session_of(void* user_data) { return static_cast<Session*>(user_data); }
inline Stream* stream_of(nghttp2_session* ng, int32_t id) {
  return static_cast<Stream*>(nghttp2_session_get_stream_user_data(ng, id));
}

// ---- the session allocator: bounds what one client can make nghttp2 hold (maxSessionMemory) --

struct alignas(16) AllocHeader {
  size_t size;
};

void* session_malloc(size_t size, void* user) {
  Session* s = session_of(user);
  if (s->memory + size > s->mod->opts.max_session_memory) return nullptr;
  auto* h = static_cast<AllocHeader*>(std::malloc(sizeof(AllocHeader) + size));
  if (h == nullptr) return nullptr;
  h->size = size;
  s->memory += size;
  return h + 1;
}

void session_free(void* ptr, void* user) {
  if (ptr == nullptr) return;
  AllocHeader* h = static_cast<AllocHeader*>(ptr) - 1;
  session_of(user)->memory -= h->size;
  std::free(h);
}

void* session_calloc(size_t n, size_t size, void* user) {
  if (size != 0 && n > SIZE_MAX / size) return nullptr;
  void* p = session_malloc(n * size, user);
  if (p != nullptr) std::memset(p, 0, n * size);
  return p;
}

void* session_realloc(void* ptr, size_t size, void* user) {
  if (ptr == nullptr) return session_malloc(size, user);
  AllocHeader* h = static_cast<AllocHeader*>(ptr) - 1;
  Session* s = session_of(user);
  if (s->memory - h->size + size > s->mod->opts.max_session_memory) return nullptr;
  auto* grown = static_cast<AllocHeader*>(std::realloc(h, sizeof(AllocHeader) + size));
  if (grown == nullptr) return nullptr;
  s->memory = s->memory - grown->size + size;
  grown->size = size;
  return grown + 1;
}

// ---- nghttp2 callbacks ------------------------------------------------------------------------

// RFC 9113 5.1.1: a client stream id below one already used is a connection PROTOCOL_ERROR.
// nghttp2 ignores HEADERS on such (implicitly closed) streams, so the module checks frame heads.
int on_begin_frame(nghttp2_session* ng, const nghttp2_frame_hd* hd, void* user) {
  if (hd->type != NGHTTP2_HEADERS || (hd->stream_id & 1) == 0) return 0;
  Session* s = session_of(user);
  if (hd->stream_id > s->max_client_stream) {
    s->max_client_stream = hd->stream_id;
    return 0;
  }
  nghttp2_stream* known = nghttp2_session_find_stream(ng, hd->stream_id);
  if (hd->stream_id < s->max_client_stream &&
      (known == nullptr || nghttp2_stream_get_state(known) == NGHTTP2_STREAM_STATE_CLOSED)) {
    s->mod->terminate(s, NGHTTP2_PROTOCOL_ERROR);
  }
  return 0;
}

int on_begin_headers(nghttp2_session* ng, const nghttp2_frame* frame, void* user) {
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  Session* s = session_of(user);
  // RFC 9113 5.1.2: a stream over the advertised limit is a stream error (REFUSED_STREAM: the
  // client may retry it). nghttp2 would end the whole connection, so the module counts itself.
  if (s->open_streams >= s->mod->opts.max_concurrent_streams) {
    nghttp2_submit_rst_stream(ng, NGHTTP2_FLAG_NONE, frame->hd.stream_id, NGHTTP2_REFUSED_STREAM);
    return 0;
  }
  auto* st = new Stream();
  st->session = s;
  st->id = frame->hd.stream_id;
  st->next = s->streams;
  if (s->streams != nullptr) s->streams->prev = st;
  s->streams = st;
  nghttp2_session_set_stream_user_data(ng, st->id, st);
  ++s->open_streams;
  s->mod->arm_idle(s);
  return 0;
}

int on_header(nghttp2_session* ng, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
              const uint8_t* value, size_t valuelen, uint8_t, void* user) {
  Session* s = session_of(user);
  Stream* st = stream_of(ng, frame->hd.stream_id);
  if (st == nullptr) return 0;
  // RFC 9113 6.5.2: the decoded size is what the advertised limit bounds (an HPACK bomb is small
  // on the wire). Over it, the stream is reset at once (decoding stops); repeated, the connection.
  st->header_bytes += namelen + valuelen + 32;
  if (st->header_bytes > s->mod->opts.max_header_list_size) {
    if (!s->defences.oversized_headers.take()) {
      s->mod->terminate(s, NGHTTP2_ENHANCE_YOUR_CALM);
      return NGHTTP2_ERR_CALLBACK_FAILURE;
    }
    return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  }
  std::vector<std::string>& into = st->delivered ? st->trailers_in : st->headers;
  into.emplace_back(reinterpret_cast<const char*>(name), namelen);
  into.emplace_back(reinterpret_cast<const char*>(value), valuelen);
  if (st->delivered) return 0;
  if (namelen == 7 && std::memcmp(name, ":method", 7) == 0) {
    st->head_method = valuelen == 4 && std::memcmp(value, "HEAD", 4) == 0;
  } else if (namelen == 7 && std::memcmp(name, ":scheme", 7) == 0) {
    st->scheme.assign(reinterpret_cast<const char*>(value), valuelen);
  } else if (namelen == 10 && std::memcmp(name, ":authority", 10) == 0) {
    st->authority.assign(reinterpret_cast<const char*>(value), valuelen);
  } else if (namelen == 14 && std::memcmp(name, "content-length", 14) == 0) {
    st->content_length = std::strtoll(std::string(reinterpret_cast<const char*>(value), valuelen).c_str(), nullptr, 10);
  } else if (namelen == 6 && std::memcmp(name, "expect", 6) == 0) {
    st->expect_continue = valuelen == 12 && strncasecmp(reinterpret_cast<const char*>(value), "100-continue", 12) == 0;
  }
  return 0;
}

// Frames that make the server work without carrying a request draw from one budget.
bool control_frame(const nghttp2_frame* frame) {
  switch (frame->hd.type) {
    case NGHTTP2_SETTINGS:
    case NGHTTP2_PING:
      return (frame->hd.flags & NGHTTP2_FLAG_ACK) == 0;
    case NGHTTP2_PRIORITY:
    case NGHTTP2_WINDOW_UPDATE:
      return true;
    case NGHTTP2_DATA:
      return frame->hd.length == 0 && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) == 0;
    default:
      return false;
  }
}

int on_frame_recv(nghttp2_session* ng, const nghttp2_frame* frame, void* user) {
  Session* s = session_of(user);
  Module* m = s->mod;
  const bool earned = frame->hd.type == NGHTTP2_WINDOW_UPDATE && s->defences.spend_window_update();
  if (!earned && control_frame(frame) && !s->defences.control_frames.take()) {
    m->terminate(s, NGHTTP2_ENHANCE_YOUR_CALM);
    return 0;
  }
  switch (frame->hd.type) {
    case NGHTTP2_SETTINGS:
      if ((frame->hd.flags & NGHTTP2_FLAG_ACK) != 0 && !s->settings_acked) {
        s->settings_acked = true;
        m->api->timer_stop(&s->settings_timer);
      }
      return 0;
    case NGHTTP2_RST_STREAM:
      // Rapid reset (CVE-2023-44487): a stream opened and cancelled costs the server, not the client.
      if (!s->defences.client_resets.take()) {
        m->stats.reset_floods += 1;
        m->terminate(s, NGHTTP2_ENHANCE_YOUR_CALM);
      }
      return 0;
    case NGHTTP2_HEADERS:
    case NGHTTP2_DATA:
      break;
    default:
      return 0;
  }
  Stream* st = stream_of(ng, frame->hd.stream_id);
  if (st == nullptr) return 0;
  const bool end_stream = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
  if (frame->hd.type == NGHTTP2_HEADERS && !st->delivered) {
    st->has_body = !end_stream;
    st->request_ended = end_stream;
    st->delivered = true;
    m->stats.requests += 1;
    if (m->batch.empty()) m->api->turn_hook_request(s->engine, &m->turn_hook);
    m->batch.push_back(st);
    st->in_batch = true;
    return 0;
  }
  if (end_stream) {
    st->request_ended = true;
    st->body_dirty = true;
  }
  return 0;
}

int on_data_chunk(nghttp2_session* ng, uint8_t, int32_t id, const uint8_t* data, size_t len, void*) {
  Stream* st = stream_of(ng, id);
  if (st == nullptr || st->request_ended) {
    // Nobody reads it: give the connection window back at once.
    nghttp2_session_consume_connection(ng, len);
    return 0;
  }
  st->body_received += len;
  st->unconsumed += len;
  if (!st->limit_hit) st->body.append(reinterpret_cast<const char*>(data), len);
  st->body_dirty = true;
  return 0;
}

int on_stream_close(nghttp2_session* ng, int32_t id, uint32_t, void* user) {
  Session* s = session_of(user);
  Module* m = s->mod;
  Stream* st = stream_of(ng, id);
  if (st == nullptr) return 0;
  nghttp2_session_set_stream_user_data(ng, id, nullptr);
  if (st->unconsumed != 0) nghttp2_session_consume_connection(ng, st->unconsumed);
  st->unconsumed = 0;
  if (st->pending_out() != 0) --s->waiting_output;
  const bool js_waits = st->delivered && (!st->out_end || (st->reading && !st->request_ended));
  st->closed = true;
  if (!st->pushed) --s->open_streams;
  m->drop_from_batch(st);
  m->free_stream(st);
  if (js_waits) js_stream_closed(m, s, id);
  m->arm_idle(s);
  return 0;
}

int on_frame_send(nghttp2_session* ng, const nghttp2_frame* frame, void* user) {
  Session* s = session_of(user);
  Module* m = s->mod;
  if (frame->hd.type == NGHTTP2_RST_STREAM && frame->rst_stream.error_code != kNoError) {
    // MadeYouReset (CVE-2025-8671): invalid frames make the server reset streams whose work
    // continues; nghttp2 1.61 does not bound these, so they draw from their own budget.
    if (!s->defences.server_resets.take()) {
      m->stats.reset_floods += 1;
      m->terminate(s, NGHTTP2_ENHANCE_YOUR_CALM);
    }
    return 0;
  }
  if (frame->hd.type == NGHTTP2_DATA && frame->hd.length != 0) s->defences.earn_window_updates();
  if (frame->hd.type == NGHTTP2_GOAWAY) {
    if (frame->goaway.error_code == NGHTTP2_ENHANCE_YOUR_CALM) m->stats.calm_goaways += 1;
    return 0;
  }
  // The answer is complete while the request body still flows: RFC 9113 8.1 lets the server
  // stop it with RST_STREAM(NO_ERROR), so the client does not keep sending what nobody reads.
  if ((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0 &&
      (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA)) {
    Stream* st = stream_of(ng, frame->hd.stream_id);
    if (st != nullptr && !st->request_ended) nghttp2_submit_rst_stream(ng, NGHTTP2_FLAG_NONE, st->id, kNoError);
  }
  return 0;
}

int on_invalid_frame(nghttp2_session*, const nghttp2_frame*, int, void* user) {
  session_of(user)->mod->stats.protocol_errors += 1;
  return 0;
}

// A whole answer's DATA is not copied: nghttp2 hands the frame to send_data with NO_COPY, which
// queues a slice of the payload. Streamed bytes are copied into nghttp2's frame buffer.
ssize_t read_response(nghttp2_session* ng, int32_t, uint8_t* buf, size_t length, uint32_t* flags,
                      nghttp2_data_source* source, void*) {
  auto* st = static_cast<Stream*>(source->ptr);
  const size_t pending = st->pending_out();
  const size_t n = pending < length ? pending : length;
  if (st->whole != nullptr) {
    st->frame_at = st->whole_at;
    st->whole_at += n;
    if (n != 0) *flags |= NGHTTP2_DATA_FLAG_NO_COPY;
  } else {
    if (n != 0) std::memcpy(buf, st->out.data() + st->out_at, n);
    st->out_at += n;
    if (st->out_at == st->out.size()) {
      st->out.clear();
      st->out_at = 0;
    }
  }
  if (n != 0 && n == pending) --st->session->waiting_output;
  if (n == 0 && !st->out_end) {
    st->deferred = true;
    return NGHTTP2_ERR_DEFERRED;
  }
  if (st->out_end && n == pending) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    if (!st->trailers_out.empty()) {
      std::vector<nghttp2_nv>& nva = st->session->mod->nva;
      build_nv(nva, nullptr, st->trailers_out);
      if (nghttp2_submit_trailer(ng, st->id, nva.data(), nva.size()) == 0) *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
    }
  }
  return static_cast<ssize_t>(n);
}

// Frames other than NO_COPY DATA, as nghttp2 serialised them (copied into the write queue).
ssize_t send_frames(nghttp2_session*, const uint8_t* data, size_t length, int, void* user) {
  Session* s = session_of(user);
  if (s->write_blocked) return NGHTTP2_ERR_WOULDBLOCK;
  std::string first;  // the server's first SETTINGS, patched (nghttp2's buffer is read-only)
  if (!s->preface_sent) {
    s->preface_sent = true;
    first.assign(reinterpret_cast<const char*>(data), length);
    advertise_stream_limit(reinterpret_cast<uint8_t*>(first.data()), first.size(), s->mod->opts.max_concurrent_streams);
    data = reinterpret_cast<const uint8_t*>(first.data());
  }
  s->mod->emit(s, fa_iovec{data, length}, nullptr);
  return static_cast<ssize_t>(length);
}

// A whole answer's DATA frame: its 9-byte head is copied, its payload slice only referenced.
int send_data(nghttp2_session*, nghttp2_frame* frame, const uint8_t* framehd, size_t length,
              nghttp2_data_source* source, void* user) {
  Session* s = session_of(user);
  if (s->write_blocked) return NGHTTP2_ERR_WOULDBLOCK;
  auto* st = static_cast<Stream*>(source->ptr);
  if (frame->data.padlen != 0) return NGHTTP2_ERR_CALLBACK_FAILURE;  // the module never pads
  Payload* body = st->whole;
  if (s->mod->emit(s, fa_iovec{framehd, 9}, nullptr)) {
    s->mod->emit(s, fa_iovec{reinterpret_cast<const uint8_t*>(body->data) + st->frame_at, length}, body);
  }
  return 0;
}

void fire_idle(fa_timer*, void* arg) {
  Session* s = static_cast<Session*>(arg);
  EntryGuard guard(s->mod);
  nghttp2_submit_goaway(s->ng, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(s->ng), kNoError, nullptr, 0);
  s->mod->flush(s);
}

void fire_settings_timeout(fa_timer*, void* arg) {
  Session* s = static_cast<Session*>(arg);
  EntryGuard guard(s->mod);
  s->mod->stats.settings_timeouts += 1;
  s->mod->terminate(s, NGHTTP2_SETTINGS_TIMEOUT);
}

// Answers wait for a window the client does not open (a zero window held): the connection ends.
void fire_stall(fa_timer*, void* arg) {
  Session* s = static_cast<Session*>(arg);
  EntryGuard guard(s->mod);
  s->mod->terminate(s, NGHTTP2_NO_ERROR);
}

}  // namespace

void build_nv(std::vector<nghttp2_nv>& nva, const char* status, const std::vector<std::string>& headers) {
  nva.clear();
  auto add = [&](const char* name, size_t namelen, const char* value, size_t valuelen) {
    nva.push_back({reinterpret_cast<uint8_t*>(const_cast<char*>(name)), reinterpret_cast<uint8_t*>(const_cast<char*>(value)),
                   namelen, valuelen, NGHTTP2_NV_FLAG_NONE});
  };
  if (status != nullptr) add(":status", 7, status, std::strlen(status));
  for (size_t i = 0; i + 1 < headers.size(); i += 2) {
    add(headers[i].data(), headers[i].size(), headers[i + 1].data(), headers[i + 1].size());
  }
}

// ---- Module -------------------------------------------------------------------------------------

Module::Module(const fa_engine_api* engine_api, const ModuleOptions& options) : api(engine_api), opts(options) {
  nva.reserve(16);
  batch.reserve(64);
}

Module::~Module() {
  reap();
  nghttp2_session_callbacks_del(callbacks);
  nghttp2_option_del(option);
}

Session* Module::lookup(double handle) const {
  Session* s = handles.find(handle);
  return s != nullptr && !s->closing ? s : nullptr;
}

Stream* Module::stream(Session* s, int32_t id) const {
  if (s == nullptr || id <= 0) return nullptr;
  Stream* st = stream_of(s->ng, id);
  return st != nullptr && !st->closed ? st : nullptr;
}

// Handles JS holds: slot + generation, so a stale handle never reaches a later connection.
void Module::add_session(Session* s) { s->handle = handles.add(s); }

void Module::remove_session(Session* s) { handles.remove(s->handle); }

// A stream that closes before the end of the turn never reaches JS (its memory goes at reap).
void Module::drop_from_batch(Stream* st) {
  if (!st->in_batch) return;
  st->in_batch = false;
  for (Stream*& queued : batch) {
    if (queued == st) queued = nullptr;
  }
}

void Module::free_stream(Stream* st) {
  Session* s = st->session;
  if (st->prev != nullptr) st->prev->next = st->next;
  else s->streams = st->next;
  if (st->next != nullptr) st->next->prev = st->prev;
  // st->next stays: a walk of the list that is at st (JS closed it meanwhile) goes on from there.
  dead_streams.push_back(st);
}

void Module::reap() {
  for (Stream* st : dead_streams) delete st;
  dead_streams.clear();
  for (Session* s : dead_sessions) {
    for (Stream* st = s->streams; st != nullptr;) {
      Stream* next = st->next;
      delete st;
      st = next;
    }
    nghttp2_session_del(s->ng);
    delete s;
  }
  dead_sessions.clear();
}

void Module::arm_idle(Session* s) {
  if (s->closing) return;
  if (s->open_streams == 0 && opts.idle_timeout_ms != 0) api->timer_start(&s->idle_timer, opts.idle_timeout_ms);
  else api->timer_stop(&s->idle_timer);
}

// Answer bytes wait while nothing goes out: the client's windows are shut. Armed when output
// stalls, re-armed on progress, stopped once no answer waits (idleTimeoutMs bounds the hold).
void Module::arm_stall(Session* s, bool progressed) {
  if (s->closing || opts.idle_timeout_ms == 0) return;
  if (s->waiting_output == 0 || s->write_blocked) {
    if (s->stall_armed) api->timer_stop(&s->stall_timer);
    s->stall_armed = false;
  } else if (progressed || !s->stall_armed) {
    api->timer_start(&s->stall_timer, opts.idle_timeout_ms);
    s->stall_armed = true;
  }
}

void Module::terminate(Session* s, uint32_t code) {
  if (s->closing) return;
  if (code != kNoError && code != NGHTTP2_ENHANCE_YOUR_CALM) stats.protocol_errors += 1;
  nghttp2_session_terminate_session(s->ng, code);
  flush(s);
}

void Module::close_session(Session* s) {
  if (s->closing) return;
  s->closing = true;
  api->timer_stop(&s->idle_timer);
  api->timer_stop(&s->settings_timer);
  api->timer_stop(&s->stall_timer);
  if (!s->in_on_data) api->conn_close(s->conn, FA_CLOSE_GRACEFUL);
}

// Sends what nghttp2 has queued, unless inside mem_recv (on_data flushes when it returns) or the
// socket pushes back (on_drain flushes). Then wakes streamed answers that may write again, and
// closes once nghttp2 wants neither to read nor to write (after GOAWAY).
void Module::flush(Session* s) {
  if (s->in_recv || s->flushing || s->closing) return;
  s->flushing = true;
  s->sent = false;
  // nghttp2 hands over frames through send_frames / send_data until they report the socket full.
  const int rv = s->write_blocked ? 0 : nghttp2_session_send(s->ng);
  s->flushing = false;
  if (rv != 0) {
    api->conn_close(s->conn, FA_CLOSE_ABORT);
    s->closing = true;
    return;
  }
  arm_stall(s, s->sent);
  if (!s->write_blocked && s->drain_waiters != 0) {
    for (Stream* st = s->streams; st != nullptr; st = st->next) {
      if (!st->drain_wanted || st->closed || st->pending_out() >= kStreamHighWater) continue;
      st->drain_wanted = false;
      --s->drain_waiters;
      js_drain(this, st);
    }
  }
  if (!s->closing && nghttp2_session_want_read(s->ng) == 0 && nghttp2_session_want_write(s->ng) == 0) close_session(s);
}

void Module::deliver_batch() {
  if (batch.empty()) return;
  std::vector<Session*> corked;
  for (Stream* st : batch) {
    if (st == nullptr) continue;
    Session* s = st->session;
    if (!s->corked) {
      s->corked = true;
      api->conn_cork(s->conn);
      corked.push_back(s);
    }
  }
  js_requests(this);  // builds its arguments before JS runs, then empties the batch
  for (Session* s : corked) {
    s->corked = false;
    if (!s->gone) api->conn_uncork(s->conn);  // also while closing: the close flushes after uncork
  }
}

void Module::deliver_body(Stream* st) {
  st->body_dirty = false;
  if (!st->reading || st->paused || st->closed) return;
  uint32_t events = 0;
  if (st->body_received > st->body_limit) {
    events |= kBodyLimit;
    st->limit_hit = true;
    st->reading = false;
    st->body.clear();
  } else if (st->request_ended) {
    events |= kBodyEnd;
    st->reading = false;
  } else if (st->body.empty()) {
    return;
  }
  const bool want_more = js_body(this, st, events);
  if (st->closed) return;
  st->body.clear();
  if (events & kBodyLimit) return;  // the window stays shut: the answer (413) ends the stream
  if (want_more) {
    nghttp2_session_consume(st->session->ng, st->id, st->unconsumed);
    st->unconsumed = 0;
  } else {
    st->paused = true;
  }
}

bool Module::emit(Session* s, const fa_iovec& iov, Payload* ref) {
  int r;
  if (ref != nullptr) {
    ref->retain();
    r = api->conn_write_ref(s->conn, &iov, 1, Payload::release, ref);
  } else {
    r = api->conn_write(s->conn, &iov, 1);
  }
  if (r == FA_WRITE_CLOSED) {
    s->write_blocked = true;  // on_close follows
    return false;
  }
  stats.bytes_out += static_cast<double>(iov.len);
  s->sent = true;
  // Past the engine's high-water mark more frames are still queued, up to kWriteBudget: whole
  // answers go by reference, so this costs no copies, and a large answer leaves in a few big
  // writev calls rather than one per 64 KiB loop pass. Past it, frames wait for on_drain.
  if (r == FA_WRITE_BACKPRESSURE && api->conn_buffered_bytes(s->conn) >= kWriteBudget) s->write_blocked = true;
  return true;
}

bool Module::respond(Stream* st, int status, std::vector<std::string>& headers, Payload* body, bool has_body,
                     bool streamed) {
  const size_t len = body != nullptr ? body->size : 0;
  if (st->responded) {
    if (body != nullptr) Payload::release(body);
    return false;
  }
  st->responded = true;
  char status_text[8];
  std::snprintf(status_text, sizeof status_text, "%d", status);
  const bool no_content = (status >= 100 && status < 200) || status == 204 || status == 304;
  // The module frames a whole answer: its content-length is the body's, except that HEAD with
  // no body keeps the handler's (the length GET would have). A streamed answer keeps the caller's.
  if (!streamed) {
    size_t caller_length = headers.size();
    for (size_t i = 0; i + 1 < headers.size(); i += 2) {
      if (headers[i] == "content-length") caller_length = i;
    }
    const bool keep_caller = st->head_method && !has_body && caller_length != headers.size();
    if (!keep_caller && caller_length != headers.size()) {
      headers.erase(headers.begin() + static_cast<ptrdiff_t>(caller_length),
                    headers.begin() + static_cast<ptrdiff_t>(caller_length) + 2);
    }
    if (!no_content && !keep_caller && (has_body || !st->head_method)) {
      char length_text[24];
      std::snprintf(length_text, sizeof length_text, "%zu", len);
      headers.emplace_back("content-length");
      headers.emplace_back(length_text);
    }
  }
  build_nv(nva, status_text, headers);
  st->no_body = no_content || st->head_method;
  st->out_end = !streamed || st->no_body;
  Session* s = st->session;
  int rv;
  if (st->no_body || (!streamed && len == 0)) {
    if (body != nullptr) Payload::release(body);
    st->out_end = true;
    rv = nghttp2_submit_response(s->ng, st->id, nva.data(), nva.size(), nullptr);
  } else {
    if (body != nullptr) {
      st->whole = body;
      ++s->waiting_output;
    }
    nghttp2_data_provider provider{};
    provider.source.ptr = st;
    provider.read_callback = read_response;
    rv = nghttp2_submit_response(s->ng, st->id, nva.data(), nva.size(), &provider);
  }
  if (rv != 0) return false;
  flush(s);
  return true;
}

int32_t Module::push(Stream* parent, const std::string& path, std::vector<std::string>& headers) {
  Session* s = parent->session;
  // RFC 9113 8.4: only on a stream the client opened, while it accepts pushes.
  if (parent->pushed || s->shutting_down || parent->responded ||
      nghttp2_session_get_remote_settings(s->ng, NGHTTP2_SETTINGS_ENABLE_PUSH) == 0) {
    return 0;
  }
  auto* pushed = new Stream();
  pushed->session = s;
  pushed->pushed = true;
  std::vector<std::string>& request = pushed->headers;
  request.reserve(8 + headers.size());
  request.emplace_back(":method");
  request.emplace_back("GET");
  request.emplace_back(":path");
  request.push_back(path);
  request.emplace_back(":scheme");
  request.push_back(parent->scheme);
  request.emplace_back(":authority");
  request.push_back(parent->authority);
  for (const std::string& field : headers) request.push_back(field);
  build_nv(nva, nullptr, pushed->headers);
  const int32_t id = nghttp2_submit_push_promise(s->ng, NGHTTP2_FLAG_NONE, parent->id, nva.data(), nva.size(), pushed);
  if (id <= 0) {
    delete pushed;
    return 0;
  }
  pushed->id = id;
  pushed->next = s->streams;
  if (s->streams != nullptr) s->streams->prev = pushed;
  s->streams = pushed;
  pushed->request_ended = true;
  pushed->delivered = true;
  stats.requests += 1;
  stats.pushes += 1;
  if (batch.empty()) api->turn_hook_request(s->engine, &turn_hook);
  batch.push_back(pushed);
  pushed->in_batch = true;
  flush(s);
  return id;
}

bool Module::informational(Stream* st, int status, const std::vector<std::string>& headers) {
  if (st->responded) return false;
  char status_text[8];
  std::snprintf(status_text, sizeof status_text, "%d", status);
  build_nv(nva, status_text, headers);
  if (nghttp2_submit_headers(st->session->ng, NGHTTP2_FLAG_NONE, st->id, nullptr, nva.data(), nva.size(), nullptr) != 0) {
    return false;
  }
  flush(st->session);
  return true;
}

void Module::queue_out(Stream* st, const char* data, size_t len) {
  if (len == 0) return;
  if (st->pending_out() == 0) ++st->session->waiting_output;
  st->out.append(data, len);
}

int Module::write(Stream* st, const char* data, size_t len) {
  if (!st->responded || st->out_end) return st->no_body && st->responded ? 1 : -1;
  Session* s = st->session;
  queue_out(st, data, len);
  if (st->deferred) {
    st->deferred = false;
    nghttp2_session_resume_data(s->ng, st->id);
  }
  flush(s);
  if (st->closed) return -1;
  if (!s->write_blocked && st->pending_out() < kStreamHighWater) return 1;
  if (!st->drain_wanted) {
    st->drain_wanted = true;
    ++s->drain_waiters;
  }
  return 0;
}

bool Module::end(Stream* st, std::vector<std::string>&& trailers) {
  if (!st->responded) return false;
  if (st->out_end) return st->no_body;
  st->out_end = true;
  st->trailers_out = std::move(trailers);
  Session* s = st->session;
  if (st->deferred) {
    st->deferred = false;
    nghttp2_session_resume_data(s->ng, st->id);
  }
  flush(s);
  return true;
}

int Module::read_body(Stream* st, uint64_t limit) {
  if (st->reading || st->limit_hit) return -1;
  if (st->content_length >= 0 && static_cast<uint64_t>(st->content_length) > limit) return 1;
  st->body_limit = limit;
  st->reading = true;
  if (st->expect_continue && !st->responded) {
    st->expect_continue = false;
    informational(st, 100, {});
  }
  deliver_body(st);
  if (!st->closed) flush(st->session);
  return 0;
}

void Module::resume_body(Stream* st) {
  if (!st->paused) return;
  st->paused = false;
  nghttp2_session_consume(st->session->ng, st->id, st->unconsumed);
  st->unconsumed = 0;
  deliver_body(st);
  if (!st->closed) flush(st->session);
}

// ---- engine callbacks -----------------------------------------------------------------------

namespace {

int on_open(fa_conn* conn, void* data) {
  Module* m = static_cast<Module*>(data);
  EntryGuard guard(m);
  auto* s = new Session();
  s->mod = m;
  s->conn = conn;
  s->engine = m->api->conn_engine(conn);
  s->mem = {s, session_malloc, session_free, session_calloc, session_realloc};
  if (nghttp2_session_server_new3(&s->ng, m->callbacks, s, m->option, &s->mem) != 0) {
    delete s;
    return -1;
  }
  int port = 0;
  if (m->api->conn_remote_address(conn, s->remote, sizeof s->remote, &port) != 0) s->remote[0] = '\0';
  s->defences.init(m->opts.max_resets_per_second);
  const ModuleOptions& o = m->opts;
  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, kUnlimitedStreams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, o.initial_window_size},
      {NGHTTP2_SETTINGS_MAX_FRAME_SIZE, o.max_frame_size},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, o.max_header_list_size},
      {NGHTTP2_SETTINGS_HEADER_TABLE_SIZE, o.header_table_size},
  };
  nghttp2_submit_settings(s->ng, NGHTTP2_FLAG_NONE, settings, sizeof settings / sizeof settings[0]);
  nghttp2_session_set_local_window_size(s->ng, NGHTTP2_FLAG_NONE, 0, static_cast<int32_t>(o.connection_window_size));
  conn->user_data = s;
  m->add_session(s);
  m->api->timer_init(s->engine, &s->idle_timer, fire_idle, s);
  m->api->timer_init(s->engine, &s->settings_timer, fire_settings_timeout, s);
  m->api->timer_init(s->engine, &s->stall_timer, fire_stall, s);
  m->api->timer_start(&s->settings_timer, o.settings_timeout_ms);
  m->arm_idle(s);
  m->stats.connections += 1;
  m->stats.active_connections += 1;
  m->flush(s);
  return 0;
}

ptrdiff_t on_data(fa_conn* conn, const uint8_t* data, size_t len) {
  Session* s = session_of(conn);
  Module* m = s->mod;
  EntryGuard guard(m);
  m->stats.bytes_in += static_cast<double>(len);
  s->in_on_data = true;
  s->in_recv = true;
  const ssize_t rv = nghttp2_session_mem_recv(s->ng, data, len);
  s->in_recv = false;
  if (rv < 0) {
    // Floods and the memory bound are the peer's excess; anything else (an invalid preface,
    // RFC 9113 3.4) is a connection PROTOCOL_ERROR. Either way GOAWAY goes out, then the close.
    const bool excess = rv == NGHTTP2_ERR_FLOODED || rv == NGHTTP2_ERR_NOMEM || rv == NGHTTP2_ERR_TOO_MANY_CONTINUATIONS;
    m->terminate(s, excess ? NGHTTP2_ENHANCE_YOUR_CALM : NGHTTP2_PROTOCOL_ERROR);
  }
  for (Stream* st = s->streams; st != nullptr; st = st->next) {
    if (st->body_dirty) m->deliver_body(st);
  }
  m->flush(s);
  if (rv < 0 && !s->closing) m->close_session(s);
  s->in_on_data = false;
  return s->closing ? FA_DATA_CLOSE : static_cast<ptrdiff_t>(len);
}

void on_drain(fa_conn* conn) {
  Session* s = session_of(conn);
  EntryGuard guard(s->mod);
  s->write_blocked = false;
  s->mod->flush(s);
}

// Graceful close: GOAWAY with the last stream processed, in-flight streams finish, then close.
void on_shutdown(fa_conn* conn) {
  Session* s = session_of(conn);
  EntryGuard guard(s->mod);
  s->shutting_down = true;
  nghttp2_submit_goaway(s->ng, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(s->ng), kNoError, nullptr, 0);
  s->mod->flush(s);
}

void on_close(fa_conn* conn, fa_close_reason reason) {
  Session* s = session_of(conn);
  Module* m = s->mod;
  EntryGuard guard(m);
  s->closing = true;
  s->gone = true;
  m->api->timer_stop(&s->idle_timer);
  m->api->timer_stop(&s->settings_timer);
  m->api->timer_stop(&s->stall_timer);
  m->remove_session(s);
  m->stats.active_connections -= 1;
  for (Stream* st = s->streams; st != nullptr; st = st->next) {
    if (st->closed) continue;
    st->closed = true;
    m->drop_from_batch(st);
    if (reason != FA_CLOSE_REASON_TEARDOWN && st->delivered) js_stream_closed(m, s, st->id);
  }
  m->dead_sessions.push_back(s);
}

struct Callbacks : RefCounted<Module> {
  static constexpr auto on_open = http2::on_open;
  static constexpr auto on_data = http2::on_data;
  static constexpr auto on_drain = http2::on_drain;
  static constexpr auto on_shutdown = http2::on_shutdown;
  static constexpr auto on_close = http2::on_close;
};

}  // namespace

void init_protocol(Module* m) {
  m->proto = protocol_table<Callbacks>("h2", m);
  m->turn_hook.fn = [](void* arg) {
    Module* mod = static_cast<Module*>(arg);
    EntryGuard guard(mod);
    mod->deliver_batch();
  };
  m->turn_hook.arg = m;
  nghttp2_session_callbacks* cb = nullptr;
  nghttp2_session_callbacks_new(&cb);
  nghttp2_session_callbacks_set_on_begin_frame_callback(cb, on_begin_frame);
  nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data_chunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_stream_close);
  nghttp2_session_callbacks_set_on_frame_send_callback(cb, on_frame_send);
  nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(cb, on_invalid_frame);
  nghttp2_session_callbacks_set_send_callback(cb, send_frames);
  nghttp2_session_callbacks_set_send_data_callback(cb, send_data);
  m->callbacks = cb;
  nghttp2_option* option = nullptr;
  nghttp2_option_new(&option);
  // Windows follow JS reading bodies: WINDOW_UPDATE goes out only for bytes JS took.
  nghttp2_option_set_no_auto_window_update(option, 1);
  // CONTINUATION flood (CVE-2024-27316 / -28182): a header block may span this many frames.
  nghttp2_option_set_max_continuations(option, 8);
  // Client resets are counted by the module itself (Defences), which answers ENHANCE_YOUR_CALM.
  nghttp2_option_set_stream_reset_rate_limit(option, 1u << 30, 1u << 30);
  // nghttp2 would keep closed streams up to the stream limit it knows, which is none (see
  // advertise_stream_limit): kept, they fill maxSessionMemory and stall a connection after about
  // 42,000 requests at the 10 MiB default. Forgotten, DATA on a closed stream is ignored, which
  // RFC 9113 5.1 allows (treating it as STREAM_CLOSED is a MAY).
  nghttp2_option_set_no_closed_streams(option, 1);
  m->option = option;
}

void module_release(Module* m) {
  if (--m->refs > 0) return;
  js_release(m);
  delete m;
}


}  // namespace fasterapi::http2
