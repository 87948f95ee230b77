// The HTTP/1.1 protocol module: per-connection state behind the engine's C ABI (engine_abi.h).
// It parses requests (parser.h), keeps pipelined responses in order, frames bodies, runs the
// header/idle/body timers (engine module timers) and decides keep-alive, and hands each turn's
// requests to JS from the engine's turn hook. It talks to JavaScript only through the js_* event
// functions that addon.cc implements, so this file holds no N-API calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "date_cache.h"
#include "fasterapi/engine_abi.h"
#include "fasterapi/handle_table.h"
#include "parser.h"
#include "response_head.h"

namespace fasterapi::http1 {

/** Requests in flight on one connection before reading pauses (pipelining depth). */
constexpr uint32_t kMaxPipeline = 32;
/** Unread Content-Length bodies up to this size are skipped after the answer instead of closing. */
constexpr uint64_t kDiscardLimit = 64 * 1024;
/** A streamed response buffered behind an unfinished earlier one reports backpressure beyond this. */
constexpr size_t kQueuedHighWater = 64 * 1024;

/** Request flags in the metadata handed to JS (mirrored in src/abi-constants.ts: only what JS reads). */
enum RequestFlag : uint32_t {
  kFlagHasBody = 8,
  kFlagPathNeedsSlash = 32,
  kFlagUpgrade = 64,  // a bodiless request with Connection: upgrade and Upgrade: parsing stops behind it
};
/** Per-request record: seq, flags, clLo, clHi, methodOff, methodLen, pathOff, pathLen, nHeaders, 4*n spans. */
constexpr uint32_t kRecordFixedWords = 9;
/** A batch is a run of groups, one per connection: handleLo, handleHi, record count, then the records. */
constexpr uint32_t kGroupHeaderWords = 3;

/** Body events handed to JS with each body delivery (mirrored in src/abi-constants.ts). */
enum BodyEvent : uint32_t { kBodyEnd = 1, kBodyLimit = 2, kBodyMalformed = 4, kBodyAborted = 8 };

/** Results of Module::read_body (mirrored in src/abi-constants.ts). */
enum class ReadBodyResult : int { kGone = -1, kStarted = 0, kTooLarge = 1 };

/** Every field is set by createProtocol (the defaults live in @fasterapi/http1's option resolver). */
struct ModuleOptions {
  Limits limits;
  uint32_t header_timeout_ms;
  uint32_t keep_alive_timeout_ms;  // 0: no keep-alive idle timeout
  uint32_t max_requests_per_conn;  // 0: unlimited
  uint32_t body_timeout_ms;        // from the start of a body read to its end; 0: none
};

struct ModuleStats {
  double connections = 0;
  double active_connections = 0;
  double requests = 0;
  double bytes_in = 0;
  double bytes_out = 0;
  double parse_errors = 0;
};

/**
 * kDiscard: answered without reading a small Content-Length body; skip it and keep the connection.
 * kUpgrade: an Upgrade request (body_seq) awaits JS: the bytes behind it are not parsed, since they
 * belong to the next protocol if JS hands the connection over (Module::upgrade).
 */
enum class BodyState : uint8_t { kNone, kWaiting, kReading, kPaused, kFailed, kDiscard, kUpgrade };

/** One request awaiting its response, in arrival order. */
struct Pending {
  uint32_t seq = 0;
  bool keep_alive = false;
  bool head_method = false;
  bool http10 = false;
  bool started = false;     // head written or buffered
  bool done = false;        // response complete
  bool chunked = false;     // streamed with chunked framing
  bool no_body = false;     // HEAD or a status without content: body bytes are dropped
  bool drain_wanted = false;
  std::string buffered;     // bytes produced while an earlier response is still going out
};

struct Module;

struct Conn {
  Module* mod = nullptr;
  fa_conn* conn = nullptr;
  fa_engine* engine = nullptr;  // conn's engine: its timers and turn hook serve this connection
  double handle = 0;
  Pending queue[kMaxPipeline];
  uint32_t q_head = 0;
  uint32_t q_count = 0;
  uint32_t next_seq = 0;
  uint32_t served = 0;
  size_t scanned = 0;  // parser resume hint for the head being received
  size_t kept = 0;     // bytes we left unconsumed in the last on_data
  bool in_on_data = false;
  bool paused = false;
  bool no_more_requests = false;  // a close is decided: later requests are not parsed
  bool close_when_idle = false;   // peer ended or engine shuts down: close once nothing is owed
  bool closing = false;           // close initiated (inside on_data: FA_DATA_CLOSE is returned)
  bool closed = false;
  bool handed_over = false;  // upgraded inside on_data: on_data frees the state once it returns
  // One engine timer bounds the wait for a head: the header timeout once one started, the
  // keep-alive idle timeout between requests; `timer` says which one is armed.
  fa_timer wait_timer{};
  fa_timer body_timer{};  // the request timeout while a body is read
  enum class Timer : uint8_t { kNone, kHeader, kIdle } timer = Timer::kNone;
  // next_seq when `timer` was armed: a request parsed since then means the wait it bounds is over,
  // so the same kind must be re-armed, not kept (a busy keep-alive connection goes Idle -> Idle).
  uint32_t timer_epoch = 0;
  // The request whose body is being received (only the newest request may have one).
  BodyState body = BodyState::kNone;
  uint32_t body_seq = 0;
  bool body_chunked = false;
  bool expect_continue = false;
  uint64_t body_remaining = 0;
  uint64_t body_received = 0;
  uint64_t body_limit = 0;
  uint32_t body_events = 0;
  bool body_timer_armed = false;
  ChunkedDecoder chunked;
  char remote[46] = {};

  Pending* find(uint32_t seq);
  Pending& head() { return queue[q_head]; }
};

struct Module {
  fa_protocol proto{};
  const fa_engine_api* api = nullptr;
  void* js = nullptr;  // addon.cc's per-instance JS state
  int refs = 1;        // the JS object's reference; engine retains add more
  ModuleOptions opts;
  ModuleStats stats;
  DateCache date;
  ResponseHead head;
  std::string out;  // response bytes being assembled (capacity reused)
  Request req;      // parser output scratch
  // Delivers the batch at the end of the loop turn in which its first request was parsed.
  fa_turn_hook turn_hook{};
  // Requests parsed during this event-loop turn, from every connection, handed to JS in one
  // crossing at the end of the turn (or at once when one of them has a body JS must decide on).
  std::string batch_bytes;
  std::vector<uint32_t> batch_meta;
  uint32_t batch_count = 0;
  bool batch_urgent = false;       // a request in the batch has a body waiting for JS
  double batch_conn = -1;          // handle of the connection whose group is open
  size_t batch_group = 0;          // index of that group's header in batch_meta
  std::vector<double> batch_conns; // every connection with a group, for corking their answers
  std::string body_bytes;  // body data gathered from one read
  std::string body_trailers;  // a chunked body's trailer field lines, handed over with its end
  HandleTable<Conn> handles;  // the handles JS names connections by

  Module(const fa_engine_api* api, const ModuleOptions& opts);
  Conn* lookup(double handle) const;

  // Operations called from JS (through addon.cc). All return false when the connection is gone.
  bool send(Conn* c, uint32_t seq, int status, ResponseHead& head, const char* body, size_t body_len, bool has_body);
  bool start_stream(Conn* c, uint32_t seq, int status);
  /** Writes an informational head (103 Early Hints) ahead of the answer; false once it started. */
  bool informational(Conn* c, uint32_t seq, const std::string& head);
  /** Returns 1 when more may be written now, 0 on backpressure (wait for drain), -1 if gone. */
  int write_chunk(Conn* c, uint32_t seq, const char* data, size_t len);
  /** Ends a streamed answer; a chunked one with `last_chunk` ("0\r\n", trailer fields, "\r\n"). */
  bool end_stream(Conn* c, uint32_t seq, const std::string& last_chunk);
  /**
   * Answers Upgrade request `seq` with `head` (the whole 101 response head) and hands the
   * connection to `next` with `handoff`; the bytes behind the request go to `next`. False (nothing
   * written) when `seq` is not an Upgrade request awaiting its answer or the hand-over is refused.
   */
  bool upgrade(Conn* c, uint32_t seq, fa_protocol* next, const char* head, size_t head_len, const uint8_t* handoff,
               size_t handoff_len);
  ReadBodyResult read_body(Conn* c, uint32_t seq, uint64_t limit);
  void resume_body(Conn* c);

  // Helpers shared by the callbacks.
  /** Asks for deliver_batch() at the end of this event-loop turn (through c's engine). */
  void schedule_batch(Conn* c);
  /** Writes now if `p` is the oldest response, else buffers; returns an FA_WRITE_* code. */
  int write_to(Conn* c, Pending& p, const char* a, size_t a_len, const char* b, size_t b_len);
  void complete_heads(Conn* c);
  void queue_error(Conn* c, int status);
  void close_conn(Conn* c);
  /** Frees the connection's slot and state (on_close, or after a hand-over). */
  void forget(Conn* c);
  void update_reading(Conn* c);
  void arm_wait_timer(Conn* c);
  bool body_unfinished(const Conn* c, uint32_t seq) const;
  void discard_unread_body(Conn* c, uint32_t seq);
  /** Hands the pending batch to JS now, with its connections corked so each answers in one write. */
  void deliver_batch();
  /** Empties the batch (js_requests does it once the batch is copied out, before JS runs). */
  void clear_batch();
};

/** Fills the module's fa_protocol and turn hook. */
void init_protocol(Module* m);
/** Drops one reference; frees the module (and calls js_release) at zero. */
void module_release(Module* m);

// Implemented by addon.cc: the module's only ways to reach JavaScript.
/** Hands the batch (m->batch_*) to JS in one call, emptying it (clear_batch) before JS runs. */
void js_requests(Module* m);
/** Hands body bytes (m->body_bytes), trailers (m->body_trailers) and events to JS; returns whether JS wants more now. */
bool js_body(Module* m, Conn* c, uint32_t seq, uint32_t events);
void js_drain(Module* m, Conn* c);
void js_closed(Module* m, Conn* c);
/** Frees addon.cc's per-instance state (called once the module itself is freed). */
void js_release(Module* m);

}  // namespace fasterapi::http1
