// The WebSocket protocol module behind the engine's C ABI (engine_abi.h): it takes connections
// HTTP/1.1 hands over after a 101, parses frames (parser.h), answers pings and closes, runs the
// idle and close timers, compresses and inflates (deflate.h), keeps topic subscriptions and
// fans a published message out as one framed buffer, and hands each turn's events to JS in one
// crossing. It reaches JS only through js_events (addon.cc), so this file holds no N-API calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <map>
#include <vector>

#include "deflate.h"
#include "event_batch.h"
#include "fasterapi/engine_abi.h"
#include "fasterapi/handle_table.h"
#include "handoff.h"
#include "parser.h"

namespace fasterapi::ws {

/** Events handed to JS (mirrored in src/abi-constants.ts). */
enum EventKind32 : uint32_t {
  kEventOpen = 1,     // arg: the hand-off token; bytes: the peer address
  kEventMessage = 2,  // arg: 1 for binary; bytes: the message
  kEventPing = 3,
  kEventPong = 4,
  kEventDrain = 5,
  kEventClose = 6,    // arg: the close code; bytes: the reason
};

/** Results of send/publish per socket (mirrored in src/abi-constants.ts). */
enum SendResult : int { kSendClosed = -1, kSendOk = 0, kSendBackpressure = 1, kSendDropped = 2 };

/** How long a close handshake the server started may wait for the peer's close frame. */
constexpr uint32_t kCloseTimeoutMs = 5000;
/** Messages shorter than this go out uncompressed even when deflate was negotiated. */
constexpr size_t kCompressThreshold = 64;
/** Largest maxPayload: event records address their block's bytes with 32-bit offsets. */
constexpr uint64_t kMaxPayloadLimit = 0x7fffffff;

struct ModuleOptions {
  uint64_t max_payload;
  uint32_t idle_timeout_ms;  // 0: none
  uint64_t max_backpressure;
  bool close_on_backpressure_limit;
  bool dedicated_compressor;  // a deflater per socket keeping its window, else one shared without
};

struct ModuleStats {
  double open = 0;
  double messages_in = 0;
  double messages_out = 0;
  double bytes_in = 0;
  double bytes_out = 0;
  double dropped = 0;
};

struct Conn;

struct Topic {
  std::string name;
  std::vector<Conn*> subscribers;
};

/** One of a socket's subscriptions: the topic and the socket's index in its subscriber list. */
struct Subscription {
  Topic* topic;
  size_t index;
};

struct Module;

struct Conn {
  Module* mod = nullptr;
  fa_conn* conn = nullptr;
  fa_engine* engine = nullptr;
  double handle = 0;
  FrameParser parser;
  Handoff deflate;  // what the handshake agreed (deflate.deflate: negotiated at all)
  std::unique_ptr<Deflater> deflater;  // dedicated mode with context takeover
  std::unique_ptr<Inflater> inflater;  // the peer keeps its window between messages
  std::vector<Subscription> subscriptions;
  fa_timer idle_timer{};
  fa_timer close_timer{};
  bool ping_sent = false;     // the idle timer fired once: the next firing closes
  bool close_sent = false;
  bool closed = false;        // conn_close was called (no more writes)
  bool drain_wanted = false;
  uint16_t close_code = 1006;  // reported to JS at on_close
  std::string close_reason;
  std::string remote;

  explicit Conn(const ParserConfig& config) : parser(config) {}
};

// The parser unmasks a message that arrives whole straight into the turn's event blocks.
struct EventSink final : MessageSink {
  explicit EventSink(EventBatch* batch) : batch(batch) {}
  uint8_t* reserve(size_t len) override { return batch->reserve(len); }
  EventBatch* batch;
};

struct Module {
  fa_protocol proto{};
  const fa_engine_api* api = nullptr;
  void* js = nullptr;  // addon.cc's per-instance JS state
  int refs = 1;
  ModuleOptions opts;
  ModuleStats stats;
  fa_turn_hook turn_hook{};
  // The events of this turn, for one crossing (per block) at its end.
  EventBatch events;
  EventSink sink{&events};
  // The block whose events JS is handling now: a send of one of its messages borrows the bytes.
  EventBlock* delivering = nullptr;
  // One deflater per window size for sockets without context takeover, and one inflater for peers
  // told not to keep theirs: the "shared" compression mode's small memory per socket.
  std::unique_ptr<Deflater> shared_deflaters[16];
  Inflater shared_inflater;
  ByteBuffer scratch;  // compressed or inflated bytes being built
  // An ordered map: no bucket array, whose rehash would need a newer libstdc++ (see README).
  std::map<std::string, std::unique_ptr<Topic>> topics;
  HandleTable<Conn> handles;  // the handles JS names connections by

  Module(const fa_engine_api* api, const ModuleOptions& opts) : api(api), opts(opts) {}
  Conn* lookup(double handle) const;

  // Operations called from JS (through addon.cc).
  /** `from`: the block `data` may lie in (see frame_room), or null. */
  SendResult send(Conn* c, const uint8_t* data, size_t len, bool binary, bool compress, EventBlock* from = nullptr);
  void ping(Conn* c, const uint8_t* data, size_t len);
  /** Starts the closing handshake (or, inside it, does nothing). */
  void close(Conn* c, uint16_t code, const uint8_t* reason, size_t reason_len);
  void terminate(Conn* c);
  bool subscribe(Conn* c, const std::string& topic);
  bool unsubscribe(Conn* c, const std::string& topic);
  bool is_subscribed(const Conn* c, const std::string& topic) const;
  /** Frames the message once and writes it to every subscriber but `except`; returns deliveries. */
  uint32_t publish(const std::string& topic, const uint8_t* data, size_t len, bool binary, bool compress,
                   const Conn* except);
  size_t subscriber_count(const std::string& topic) const;

  // Helpers.
  void add_event(Conn* c, uint32_t kind, uint32_t arg, const uint8_t* bytes, size_t len);
  /** Appends the event whose `len` bytes the parser already put where `sink` said. */
  void commit_event(Conn* c, uint32_t kind, uint32_t arg, size_t len);
  /** Writes one frame (header + payload); an FA_WRITE_* code. */
  int write_frame(Conn* c, uint8_t opcode, bool rsv1, const uint8_t* data, size_t len);
  /** Writes a frame of a message in `from` by reference when its frame room allows, else copied. */
  int write_message(Conn* c, uint8_t opcode, const uint8_t* data, size_t len, EventBlock* from);
  /** The compressed payload of a message for `c` in `scratch`; false to send it as it is. */
  bool compress_for(Conn* c, const uint8_t* data, size_t len);
  /** Whether `c` may take `len` more bytes; applies the backpressure action when not. */
  bool admit(Conn* c, SendResult* result);
  void send_close(Conn* c, uint16_t code, const uint8_t* reason, size_t reason_len);
  void arm_idle(Conn* c);
  void remove_subscription(Conn* c, size_t at);
};

/** Fills the module's fa_protocol and turn hook. */
void init_protocol(Module* m);
/** Drops one reference; frees the module (and calls js_release) at zero. */
void module_release(Module* m);

// Implemented by addon.cc.
/** Hands the turn's events (m->events) to JS, one call per block, and empties them first. */
void js_events(Module* m);
void js_release(Module* m);

}  // namespace fasterapi::ws
