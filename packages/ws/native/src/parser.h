// WebSocket frame parser (RFC 6455 section 5, RFC 7692's RSV1): bytes in, whole messages and
// control frames out. It unmasks, joins fragments (control frames may come between them),
// validates text as it streams in and turns every protocol violation into the close code to
// answer with. It knows nothing about sockets, N-API or zlib: a message flagged `compressed` is
// inflated (and, if text, validated) by the caller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "utf8.h"

namespace fasterapi::ws {

struct ParserConfig {
  uint64_t max_payload = 16 * 1024 * 1024;  // largest message (all fragments), else 1009
  bool deflate = false;                      // permessage-deflate negotiated: RSV1 allowed on a message's first frame
};

enum class EventKind : uint8_t {
  kNeedMore,  // everything given was used (or kept by the caller: see `consumed`); send more
  kMessage,   // a whole text or binary message: data/len, binary, compressed
  kPing,      // data/len: the ping payload (0..125 bytes)
  kPong,
  kClose,     // code (kCloseNoStatus when the frame had none) and data/len: the UTF-8 reason
  kError,     // code: the close code to answer with; reason: why, for the close frame and logs
};

struct Event {
  EventKind kind;
  size_t consumed;      // input bytes used; the caller passes the rest (plus newer bytes) next time
  const uint8_t* data;  // into the parser's storage (valid until the next call) or the sink's
  size_t len;
  uint16_t code;
  bool binary;
  bool compressed;
  const char* reason;
  bool in_sink = false;  // a kMessage unmasked into the memory MessageSink::reserve gave
};

/**
 * Memory of the caller's for a message that arrives whole, in one frame, within one call: the
 * parser unmasks (and validates) it straight there instead of into its own storage, which spares
 * the caller a copy.
 */
class MessageSink {
 public:
  /** Room for `len` bytes, valid until the caller's next use of the sink; null to decline. */
  virtual uint8_t* reserve(size_t len) = 0;

 protected:
  ~MessageSink() = default;
};

class FrameParser {
 public:
  explicit FrameParser(const ParserConfig& config) : config_(config) {}

  /**
   * Parses from `data[0..len)` until one event is complete. Bytes of an unfinished frame header
   * or control frame are not consumed (the caller keeps them); payload bytes of data frames are
   * consumed and copied, unmasked, into the message. After kError every call returns it again.
   */
  Event next(const uint8_t* data, size_t len, MessageSink* sink = nullptr);

  /** Bytes of the message being assembled (for memory accounting). */
  size_t pending_bytes() const { return message_.size(); }

 private:
  Event fail(uint16_t code, const char* reason, size_t consumed);
  Event take_payload(const uint8_t* data, size_t len, size_t consumed);
  Event message_into(uint8_t* dst, const uint8_t* payload, size_t len, const uint8_t mask[4], bool binary,
                     size_t consumed);

  ParserConfig config_;
  std::vector<uint8_t> message_;  // unmasked payload of the current message so far
  uint8_t control_[125];
  Utf8Validator utf8_;
  uint64_t frame_left_ = 0;  // payload bytes of the current data frame still to come
  uint32_t mask_offset_ = 0; // payload bytes of the current frame already unmasked (mod 4 matters)
  uint8_t mask_[4] = {0, 0, 0, 0};
  bool in_frame_ = false;    // inside a data frame's payload
  bool frame_fin_ = false;
  bool in_message_ = false;  // a text/binary message started and has not finished
  bool message_binary_ = false;
  bool message_compressed_ = false;
  bool deliver_pending_ = false;  // the last event was a message: clear it on the next call
  uint16_t error_code_ = 0;
  const char* error_reason_ = nullptr;
};

/**
 * Copies `len` bytes from `src` to `dst` XOR-ing them with `mask`, starting `offset` bytes into
 * the mask; true when every byte copied is ASCII (then text needs no UTF-8 check).
 */
bool unmask_copy(uint8_t* dst, const uint8_t* src, size_t len, const uint8_t mask[4], uint32_t offset);

/** Writes an unmasked server frame header for a payload of `len` bytes; returns its size (2..10). */
size_t write_frame_header(uint8_t out[10], uint8_t opcode, bool fin, bool rsv1, uint64_t len);

constexpr uint8_t kOpContinuation = 0x0;
constexpr uint8_t kOpText = 0x1;
constexpr uint8_t kOpBinary = 0x2;
constexpr uint8_t kOpClose = 0x8;
constexpr uint8_t kOpPing = 0x9;
constexpr uint8_t kOpPong = 0xA;

}  // namespace fasterapi::ws
