// Streaming UTF-8 validation (RFC 3629) for text messages and close reasons: bytes may arrive in
// any pieces (frames, fragments, inflate output), so the validator keeps the state of a code
// point cut across pieces. It rejects overlong forms, surrogates and code points past U+10FFFF.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fasterapi::ws {

class Utf8Validator {
 public:
  /** Checks the next piece; false once the bytes seen so far cannot start valid UTF-8. */
  bool feed(const uint8_t* data, size_t len);
  /** True when no code point is left unfinished (call at the end of the message). */
  bool complete() const { return need_ == 0; }
  void reset() { need_ = 0; }

 private:
  uint8_t need_ = 0;  // continuation bytes still owed by the current code point
  uint8_t lo_ = 0x80; // allowed range of the next continuation byte
  uint8_t hi_ = 0xBF;
};

/** Validates a whole buffer. */
bool is_valid_utf8(const uint8_t* data, size_t len);

}  // namespace fasterapi::ws
