#include "parser.h"

#include <cstring>

#include "close_code.h"

namespace fasterapi::ws {

// Built for AVX2 and for baseline x86-64; the loader picks the clone the CPU runs (an ifunc).
__attribute__((target_clones("avx2", "default")))
bool unmask_copy(uint8_t* dst, const uint8_t* src, size_t len, const uint8_t mask[4], uint32_t offset) {
  uint8_t rotated[4];
  for (int i = 0; i < 4; ++i) rotated[i] = mask[(offset + i) & 3];
  uint32_t mask32;
  std::memcpy(&mask32, rotated, 4);
  const uint64_t mask64 = (static_cast<uint64_t>(mask32) << 32) | mask32;
  uint64_t seen = 0;  // every byte written, OR-ed: its high bits say whether any was not ASCII
  size_t i = 0;
  // Eight bytes per step; the compiler vectorises this loop at -O3.
  for (; i + 8 <= len; i += 8) {
    uint64_t word;
    std::memcpy(&word, src + i, 8);
    word ^= mask64;
    seen |= word;
    std::memcpy(dst + i, &word, 8);
  }
  for (; i < len; ++i) {
    dst[i] = src[i] ^ rotated[i & 3];
    seen |= dst[i];
  }
  return (seen & 0x8080808080808080ULL) == 0;
}

size_t write_frame_header(uint8_t out[10], uint8_t opcode, bool fin, bool rsv1, uint64_t len) {
  out[0] = static_cast<uint8_t>((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode);
  if (len < 126) {
    out[1] = static_cast<uint8_t>(len);
    return 2;
  }
  if (len <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<uint8_t>(len >> 8);
    out[3] = static_cast<uint8_t>(len);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<uint8_t>(len >> (56 - 8 * i));
  return 10;
}

Event FrameParser::fail(uint16_t code, const char* reason, size_t consumed) {
  error_code_ = code;
  error_reason_ = reason;
  message_.clear();
  return Event{EventKind::kError, consumed, nullptr, 0, code, false, false, reason};
}

// Copies (unmasked) as much of the current data frame's payload as `data` holds.
Event FrameParser::take_payload(const uint8_t* data, size_t len, size_t consumed) {
  const size_t n = frame_left_ < len ? static_cast<size_t>(frame_left_) : len;
  const size_t at = message_.size();
  message_.resize(at + n);
  unmask_copy(message_.data() + at, data, n, mask_, mask_offset_);
  mask_offset_ += static_cast<uint32_t>(n);
  frame_left_ -= n;
  consumed += n;
  // Text is checked as it arrives, so a bad byte fails the connection before the message ends.
  if (!message_binary_ && !message_compressed_ && !utf8_.feed(message_.data() + at, n)) {
    return fail(kCloseInvalidPayload, "invalid UTF-8 in a text message", consumed);
  }
  if (frame_left_ > 0) return Event{EventKind::kNeedMore, consumed, nullptr, 0, 0, false, false, nullptr};
  in_frame_ = false;
  if (!frame_fin_) return Event{EventKind::kNeedMore, consumed, nullptr, 0, 0, false, false, nullptr};
  in_message_ = false;
  if (!message_binary_ && !message_compressed_ && !utf8_.complete()) {
    return fail(kCloseInvalidPayload, "a text message ends inside a UTF-8 sequence", consumed);
  }
  deliver_pending_ = true;
  return Event{EventKind::kMessage, consumed, message_.data(), message_.size(), 0, message_binary_,
               message_compressed_, nullptr};
}

// A whole single-frame message, unmasked into the sink's memory.
Event FrameParser::message_into(uint8_t* dst, const uint8_t* payload, size_t len, const uint8_t mask[4], bool binary,
                                size_t consumed) {
  const bool ascii = unmask_copy(dst, payload, len, mask, 0);
  if (!binary && !ascii) {
    utf8_.reset();
    if (!utf8_.feed(dst, len) || !utf8_.complete()) {
      return fail(kCloseInvalidPayload, "invalid UTF-8 in a text message", consumed);
    }
  }
  return Event{EventKind::kMessage, consumed, dst, len, 0, binary, false, nullptr, true};
}

Event FrameParser::next(const uint8_t* data, size_t len, MessageSink* sink) {
  if (error_code_ != 0) return Event{EventKind::kError, 0, nullptr, 0, error_code_, false, false, error_reason_};
  if (deliver_pending_) {
    deliver_pending_ = false;
    message_.clear();
  }
  size_t pos = 0;
  for (;;) {
    if (in_frame_) {
      if (frame_left_ > 0 && pos == len) return Event{EventKind::kNeedMore, pos, nullptr, 0, 0, false, false, nullptr};
      const Event event = take_payload(data + pos, len - pos, pos);
      if (event.kind != EventKind::kNeedMore) return event;
      pos = event.consumed;
      if (in_frame_) return event;  // input exhausted mid-frame
      continue;
    }
    // A frame header: 2 bytes, then 0/2/8 bytes of length, then the 4-byte mask.
    const uint8_t* p = data + pos;
    const size_t avail = len - pos;
    if (avail < 2) return Event{EventKind::kNeedMore, pos, nullptr, 0, 0, false, false, nullptr};
    const bool fin = (p[0] & 0x80) != 0;
    const bool rsv1 = (p[0] & 0x40) != 0;
    const uint8_t opcode = p[0] & 0x0F;
    if ((p[0] & 0x30) != 0) return fail(kCloseProtocolError, "RSV2/RSV3 set", pos);
    if (opcode > kOpBinary && opcode < kOpClose) return fail(kCloseProtocolError, "reserved opcode", pos);
    if (opcode > kOpPong) return fail(kCloseProtocolError, "reserved opcode", pos);
    if ((p[1] & 0x80) == 0) return fail(kCloseProtocolError, "unmasked client frame", pos);
    const bool control = opcode >= kOpClose;
    uint64_t payload = p[1] & 0x7F;
    size_t header = 2;
    if (payload == 126) {
      if (avail < 4) return Event{EventKind::kNeedMore, pos, nullptr, 0, 0, false, false, nullptr};
      payload = (static_cast<uint64_t>(p[2]) << 8) | p[3];
      header = 4;
    } else if (payload == 127) {
      if (avail < 10) return Event{EventKind::kNeedMore, pos, nullptr, 0, 0, false, false, nullptr};
      payload = 0;
      for (int i = 0; i < 8; ++i) payload = (payload << 8) | p[2 + i];
      if (payload >> 63) return fail(kCloseProtocolError, "payload length has its top bit set", pos);
      header = 10;
    }
    if (control) {
      if (!fin) return fail(kCloseProtocolError, "fragmented control frame", pos);
      if (payload > 125) return fail(kCloseProtocolError, "control frame over 125 bytes", pos);
      if (rsv1) return fail(kCloseProtocolError, "RSV1 on a control frame", pos);
    } else if (opcode == kOpContinuation) {
      if (!in_message_) return fail(kCloseProtocolError, "continuation frame without a message", pos);
      if (rsv1) return fail(kCloseProtocolError, "RSV1 on a continuation frame", pos);
    } else {
      if (in_message_) return fail(kCloseProtocolError, "new message inside a fragmented one", pos);
      if (rsv1 && !config_.deflate) return fail(kCloseProtocolError, "RSV1 set without permessage-deflate", pos);
    }
    if (avail < header + 4) return Event{EventKind::kNeedMore, pos, nullptr, 0, 0, false, false, nullptr};
    const uint8_t* mask = p + header;
    header += 4;

    if (control) {
      // Whole control frames only (at most 131 bytes): keep the bytes until all are here.
      if (avail < header + payload) return Event{EventKind::kNeedMore, pos, nullptr, 0, 0, false, false, nullptr};
      const size_t n = static_cast<size_t>(payload);
      unmask_copy(control_, p + header, n, mask, 0);
      pos += header + n;
      if (opcode == kOpPing) return Event{EventKind::kPing, pos, control_, n, 0, false, false, nullptr};
      if (opcode == kOpPong) return Event{EventKind::kPong, pos, control_, n, 0, false, false, nullptr};
      if (n == 0) return Event{EventKind::kClose, pos, control_, 0, kCloseNoStatus, false, false, nullptr};
      if (n == 1) return fail(kCloseProtocolError, "close frame with a 1-byte payload", pos);
      const uint16_t code = static_cast<uint16_t>((control_[0] << 8) | control_[1]);
      if (!is_valid_wire_close_code(code)) return fail(kCloseProtocolError, "invalid close code", pos);
      if (!is_valid_utf8(control_ + 2, n - 2)) return fail(kCloseInvalidPayload, "invalid UTF-8 in the close reason", pos);
      return Event{EventKind::kClose, pos, control_ + 2, n - 2, code, false, false, nullptr};
    }

    if (payload > config_.max_payload || message_.size() + payload > config_.max_payload) {
      return fail(kCloseTooBig, "message over maxPayload", pos);
    }
    if (opcode != kOpContinuation && fin && !rsv1 && sink != nullptr && avail - header >= payload) {
      const size_t n = static_cast<size_t>(payload);
      uint8_t* dst = sink->reserve(n);
      if (dst != nullptr) return message_into(dst, p + header, n, mask, opcode == kOpBinary, pos + header + n);
    }
    if (opcode != kOpContinuation) {
      in_message_ = true;
      message_binary_ = opcode == kOpBinary;
      message_compressed_ = rsv1;
      utf8_.reset();
      // Reserve what has arrived, not what the header claims: a peer cannot pin memory it never sends.
      const size_t here = avail - header;
      message_.reserve(payload < here ? static_cast<size_t>(payload) : here);
    }
    std::memcpy(mask_, mask, 4);
    mask_offset_ = 0;
    frame_left_ = payload;
    frame_fin_ = fin;
    in_frame_ = true;
    pos += header;
  }
}

}  // namespace fasterapi::ws
