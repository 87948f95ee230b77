// The HTTP/2 protocol module: one nghttp2 server session per engine connection (engine_abi.h).
// Bytes from on_data go through nghttp2_session_mem_recv; frames nghttp2 wants to send go out
// through nghttp2_session_send: conn_write for frames, conn_write_ref for whole answers' DATA.
// Requests whose headers completed during a turn cross into JS once, from the engine's turn hook;
// answers come back one call per stream. The module bounds what a client can make it do
// (h2_defences.h) and talks to JS only through the js_* functions addon.cc implements, so this
// file holds no N-API calls.
#pragma once

#include <nghttp2/nghttp2.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fasterapi/engine_abi.h"
#include "fasterapi/handle_table.h"
#include "h2_defences.h"
#include "h2_payload.h"

namespace fasterapi::http2 {

/** A streamed response reports backpressure once this many bytes wait in its stream buffer. */
constexpr size_t kStreamHighWater = 64 * 1024;

/** Body events handed to JS with each delivery (mirrored in src/abi-constants.ts). */
enum BodyEvent : uint32_t { kBodyEnd = 1, kBodyLimit = 2, kBodyAborted = 8 };

/** Every field is set by createProtocol (the defaults live in @fasterapi/http2's option resolver). */
struct ModuleOptions {
  uint32_t max_concurrent_streams;
  uint32_t initial_window_size;
  uint32_t connection_window_size;
  uint32_t max_frame_size;
  uint32_t max_header_list_size;
  uint32_t header_table_size;
  uint32_t idle_timeout_ms;      // 0: none
  uint32_t settings_timeout_ms;
  uint32_t max_session_memory;   // bytes nghttp2 may allocate per session
  uint32_t max_resets_per_second;
};

struct ModuleStats {
  double connections = 0;
  double active_connections = 0;
  double requests = 0;
  double batches = 0;  // crossings into JS with requests (one per loop turn that had any)
  double bytes_in = 0;
  double bytes_out = 0;
  double protocol_errors = 0;
  double reset_floods = 0;  // connections ended for too many resets (either side's)
  double settings_timeouts = 0;
  double pushes = 0;
  double calm_goaways = 0;  // connections ended with ENHANCE_YOUR_CALM
};

struct Session;

/** One request stream, from its HEADERS to its close. */
struct Stream {
  Session* session = nullptr;
  int32_t id = 0;
  // Request head, as decoded: [name, value, ...] until delivered to JS.
  std::vector<std::string> headers;
  size_t header_bytes = 0;  // RFC 9113 6.5.2 size: name + value + 32 per field
  bool has_body = false;
  bool head_method = false;
  bool pushed = false;        // a server push (PUSH_PROMISE), not a client stream
  std::string scheme;         // :scheme and :authority, for the requests of pushes
  std::string authority;
  bool expect_continue = false;
  int64_t content_length = -1;
  bool delivered = false;    // JS knows the stream (or will, at the end of the turn)
  bool in_batch = false;     // in Module::batch, not yet handed to JS
  bool closed = false;       // nghttp2 closed it (freed at the end of the current entry)
  bool request_ended = false;
  // Request body: bytes received before JS reads, or while JS is paused.
  std::string body;
  bool reading = false;      // JS called readBody
  bool paused = false;       // JS asked to stop until resumeBody
  bool body_dirty = false;   // bytes or the end arrived since the last delivery
  bool limit_hit = false;    // more than body_limit arrived: JS was told, the rest is dropped
  uint64_t body_limit = 0;
  uint64_t body_received = 0;
  size_t unconsumed = 0;     // received bytes not yet returned to the windows (nghttp2_session_consume)
  std::vector<std::string> trailers_in;
  // Response.
  bool responded = false;    // HEADERS submitted
  bool no_body = false;      // HEAD or a status without content
  Payload* whole = nullptr;  // a whole answer's body: DATA frames point into it (NO_COPY)
  size_t whole_at = 0;       // bytes of `whole` handed to nghttp2
  size_t frame_at = 0;       // where the DATA frame nghttp2 is sending starts in `whole`
  std::string out;           // streamed DATA bytes waiting for the peer's window
  size_t out_at = 0;
  bool out_end = false;      // JS ended the body
  bool deferred = false;     // the data provider returned NGHTTP2_ERR_DEFERRED
  bool drain_wanted = false; // JS waits for onDrain(handle, id)
  std::vector<std::string> trailers_out;
  Stream* prev = nullptr;    // the session's stream list (freed with the session)
  Stream* next = nullptr;

  Stream() = default;
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  ~Stream() {
    if (whole != nullptr) Payload::release(whole);
  }
  /** Answer bytes not yet handed to nghttp2. */
  size_t pending_out() const { return (whole != nullptr ? whole->size - whole_at : 0) + (out.size() - out_at); }
};

struct Module;

struct Session {
  Module* mod = nullptr;
  fa_conn* conn = nullptr;
  fa_engine* engine = nullptr;
  nghttp2_session* ng = nullptr;
  double handle = 0;  // what JS names the connection by (Module::add_session)
  nghttp2_mem mem{};
  size_t memory = 0;  // bytes nghttp2 holds for this session (see the allocator in h2_module.cc)
  bool in_on_data = false;
  bool in_recv = false;   // inside nghttp2_session_mem_recv: no session_send now
  bool flushing = false;
  bool sent = false;  // the current flush wrote something
  bool corked = false;
  uint32_t drain_waiters = 0;  // streams with drain_wanted
  bool write_blocked = false;  // conn_write reported backpressure: wait for on_drain
  bool closing = false;
  bool gone = false;           // on_close ran: conn is invalid
  bool shutting_down = false;  // GOAWAY sent on engine shutdown: close once streams are done
  bool settings_acked = false;
  bool preface_sent = false;  // the server's first SETTINGS went out
  uint32_t open_streams = 0;
  fa_timer idle_timer{};
  fa_timer settings_timer{};
  fa_timer stall_timer{};     // answers wait for windows the client keeps shut
  bool stall_armed = false;
  uint32_t waiting_output = 0;  // streams with answer bytes not yet sent
  int32_t max_client_stream = 0;
  Defences defences;
  Stream* streams = nullptr;
  char remote[46] = {};
};

struct Module {
  fa_protocol proto{};
  const fa_engine_api* api = nullptr;
  void* js = nullptr;  // addon.cc's per-instance JS state
  int refs = 1;        // the JS object's reference; engine retains add more
  ModuleOptions opts;
  ModuleStats stats;
  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_option* option = nullptr;
  HandleTable<Session> handles;  // the handles JS names connections by
  // Streams whose headers completed during this turn, delivered to JS in one call at its end.
  fa_turn_hook turn_hook{};
  std::vector<Stream*> batch;
  std::vector<nghttp2_nv> nva;  // response header scratch (capacity reused)
  // Closed streams and sessions, freed when the outermost entry returns (see EntryGuard).
  int depth = 0;
  std::vector<Stream*> dead_streams;
  std::vector<Session*> dead_sessions;

  Module(const fa_engine_api* api, const ModuleOptions& opts);
  ~Module();
  Session* lookup(double handle) const;
  Stream* stream(Session* s, int32_t id) const;

  // Operations called from JS (through addon.cc). Header lists are [name, value, ...] already
  // validated and lower-cased by addon.cc. All return false when the stream is gone. respond()
  // adds the framing (content-length) to `headers`. respond() takes the caller's reference to
  // `body` (nullptr: none).
  bool respond(Stream* st, int status, std::vector<std::string>& headers, Payload* body, bool has_body, bool streamed);
  /** 1: more may be written now, 0: wait for onDrain, -1: gone. */
  int write(Stream* st, const char* data, size_t len);
  bool end(Stream* st, std::vector<std::string>&& trailers);
  /** Promises GET `path` (plus request `headers`) on st; the pushed request reaches JS like a
   * client's. Returns the promised stream id, or 0 when the client takes no pushes. */
  int32_t push(Stream* st, const std::string& path, std::vector<std::string>& headers);
  bool informational(Stream* st, int status, const std::vector<std::string>& headers);
  /** 0 started, 1 too large (content-length over the limit), -1 gone. */
  int read_body(Stream* st, uint64_t limit);
  void resume_body(Stream* st);

  // Helpers shared by the nghttp2 and engine callbacks.
  void flush(Session* s);
  void deliver_batch();
  void deliver_body(Stream* st);
  void close_session(Session* s);
  /** Ends the connection with GOAWAY `code` (ENHANCE_YOUR_CALM for the defences). */
  void terminate(Session* s, uint32_t code);
  void arm_idle(Session* s);
  void arm_stall(Session* s, bool progressed);
  /** Appends streamed answer bytes for the data provider. */
  void queue_out(Stream* st, const char* data, size_t len);
  /** Queues frame bytes on the connection (a slice of `ref` without copying, when given); false
   * when nothing more should be written now. */
  bool emit(Session* s, const fa_iovec& iov, Payload* ref);
  /** Unlinks a closed stream from its session; it is freed by reap(). */
  void free_stream(Stream* st);
  void reap();
  void drop_from_batch(Stream* st);
  void add_session(Session* s);
  void remove_session(Session* s);
};

/** Marks an entry into the module (engine callback, turn hook, JS call); the outermost one frees
 * what closed meanwhile when it returns. */
struct EntryGuard {
  Module* m;
  explicit EntryGuard(Module* mod) : m(mod) { ++m->depth; }
  ~EntryGuard() {
    if (--m->depth == 0) m->reap();
  }
  EntryGuard(const EntryGuard&) = delete;
  EntryGuard& operator=(const EntryGuard&) = delete;
};

/** Fills `nva` with `:status` (when given) and the [name, value, ...] pairs, pointing into them. */
void build_nv(std::vector<nghttp2_nv>& nva, const char* status, const std::vector<std::string>& headers);

/** Fills the module's fa_protocol, nghttp2 callbacks/options and turn hook. */
void init_protocol(Module* m);
/** Drops one reference; frees the module (and calls js_release) at zero. */
void module_release(Module* m);

// Implemented by addon.cc: the module's only ways to reach JavaScript.
/** Hands the streams in m->batch to JS in one call. */
void js_requests(Module* m);
/** Hands body bytes (st->body) and events to JS; returns whether JS wants more now. */
bool js_body(Module* m, Stream* st, uint32_t events);
void js_drain(Module* m, Stream* st);
/** A stream JS knows closed before its answer completed (reset, or the connection went). */
void js_stream_closed(Module* m, Session* s, int32_t id);
void js_release(Module* m);

}  // namespace fasterapi::http2
