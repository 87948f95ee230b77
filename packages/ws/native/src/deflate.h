// permessage-deflate (RFC 7692) on zlib: raw deflate with a sync flush per message and the
// trailing 00 00 FF FF removed, and the inverse with an output limit (maxPayload counts the
// inflated size, so a small compressed bomb still closes with 1009). zlib comes from Node's own
// headers and the node binary's exported symbols: nothing is linked.
#pragma once

#include <zlib.h>

#include <cstddef>
#include <cstdint>

#include "byte_buffer.h"

namespace fasterapi::ws {

class Deflater {
 public:
  Deflater() = default;
  ~Deflater();
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;

  /** Compresses one message into `out` (replacing it); false on a zlib failure. `keep_context`
   * keeps the window for the next message (context takeover). */
  bool compress(const uint8_t* data, size_t len, int window_bits, bool keep_context, ByteBuffer& out);

 private:
  z_stream z_{};
  int window_bits_ = 0;  // 0: not initialised
};

class Inflater {
 public:
  enum class Result : uint8_t { kOk, kTooBig, kError };
  Inflater() = default;
  ~Inflater();
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  /** Inflates one message into `out` (replacing it), at most `limit` bytes. */
  Result inflate(const uint8_t* data, size_t len, bool keep_context, uint64_t limit, ByteBuffer& out);

 private:
  z_stream z_{};
  bool ready_ = false;
};

}  // namespace fasterapi::ws
