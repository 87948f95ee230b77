#include "utf8.h"

#include <cstring>

namespace fasterapi::ws {

bool Utf8Validator::feed(const uint8_t* data, size_t len) {
  size_t i = 0;
  while (i < len) {
    if (need_ == 0) {
      // ASCII fast path: 32 bytes at a time (one test of four words), then eight at a time,
      // while no byte has its high bit set.
      while (i + 32 <= len) {
        uint64_t words[4];
        std::memcpy(words, data + i, 32);
        if ((words[0] | words[1] | words[2] | words[3]) & 0x8080808080808080ULL) break;
        i += 32;
      }
      while (i + 8 <= len) {
        uint64_t word;
        std::memcpy(&word, data + i, 8);
        if (word & 0x8080808080808080ULL) break;
        i += 8;
      }
      if (i == len) break;
      const uint8_t b = data[i++];
      if (b < 0x80) continue;
      lo_ = 0x80;
      hi_ = 0xBF;
      if (b >= 0xC2 && b <= 0xDF) {
        need_ = 1;
      } else if (b >= 0xE0 && b <= 0xEF) {
        need_ = 2;
        if (b == 0xE0) lo_ = 0xA0;  // overlong
        if (b == 0xED) hi_ = 0x9F;  // UTF-16 surrogates
      } else if (b >= 0xF0 && b <= 0xF4) {
        need_ = 3;
        if (b == 0xF0) lo_ = 0x90;  // overlong
        if (b == 0xF4) hi_ = 0x8F;  // past U+10FFFF
      } else {
        return false;  // continuation without a lead, C0/C1 overlongs, F5..FF
      }
      continue;
    }
    const uint8_t b = data[i++];
    if (b < lo_ || b > hi_) return false;
    lo_ = 0x80;
    hi_ = 0xBF;
    --need_;
  }
  return true;
}

bool is_valid_utf8(const uint8_t* data, size_t len) {
  Utf8Validator validator;
  return validator.feed(data, len) && validator.complete();
}

}  // namespace fasterapi::ws
