#include "deflate.h"

#include <cstring>

namespace fasterapi::ws {

namespace {
constexpr uint8_t kTail[4] = {0x00, 0x00, 0xFF, 0xFF};
constexpr size_t kChunk = 16 * 1024;
}  // namespace

Deflater::~Deflater() {
  if (window_bits_ != 0) deflateEnd(&z_);
}

bool Deflater::compress(const uint8_t* data, size_t len, int window_bits, bool keep_context, ByteBuffer& out) {
  // zlib cannot do an 8-bit raw window; 9 is what every peer that asks for 8 accepts.
  if (window_bits < 9) window_bits = 9;
  if (window_bits_ != window_bits) {
    if (window_bits_ != 0) deflateEnd(&z_);
    z_ = z_stream{};
    if (deflateInit2(&z_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      window_bits_ = 0;
      return false;
    }
    window_bits_ = window_bits;
  }
  out.clear();
  z_.next_in = const_cast<Bytef*>(data);
  z_.avail_in = static_cast<uInt>(len);
  do {
    const size_t step = kChunk + len / 2;
    z_.next_out = out.room(step);
    z_.avail_out = static_cast<uInt>(step);
    const int rc = deflate(&z_, Z_SYNC_FLUSH);
    if (rc != Z_OK && rc != Z_BUF_ERROR) return false;
    out.commit(step - z_.avail_out);
  } while (z_.avail_out == 0 || z_.avail_in > 0);
  if (out.size() >= 4 && std::memcmp(out.data() + out.size() - 4, kTail, 4) == 0) out.drop_tail(4);
  if (!keep_context) deflateReset(&z_);
  return true;
}

Inflater::~Inflater() {
  if (ready_) inflateEnd(&z_);
}

Inflater::Result Inflater::inflate(const uint8_t* data, size_t len, bool keep_context, uint64_t limit,
                                   ByteBuffer& out) {
  if (!ready_) {
    z_ = z_stream{};
    // A 15-bit window inflates any window size the peer compressed with.
    if (inflateInit2(&z_, -15) != Z_OK) return Result::kError;
    ready_ = true;
  }
  out.clear();
  Result result = Result::kOk;
  bool ended = false;
  for (int part = 0; part < 2 && result == Result::kOk && !ended; ++part) {
    z_.next_in = const_cast<Bytef*>(part == 0 ? data : kTail);
    z_.avail_in = static_cast<uInt>(part == 0 ? len : 4);
    for (;;) {
      z_.next_out = out.room(kChunk);
      z_.avail_out = kChunk;
      const int rc = ::inflate(&z_, Z_SYNC_FLUSH);
      out.commit(kChunk - z_.avail_out);
      if (out.size() > limit) {
        result = Result::kTooBig;
        break;
      }
      if (rc == Z_STREAM_END) {  // a final block: the rest of the input is ignored
        ended = true;
        break;
      }
      if (rc == Z_BUF_ERROR && z_.avail_in == 0) break;  // everything consumed and flushed
      if (rc != Z_OK) {
        result = Result::kError;
        break;
      }
      if (z_.avail_in == 0 && z_.avail_out != 0) break;
    }
  }
  if (!keep_context || ended || result != Result::kOk) inflateReset(&z_);
  return result;
}

}  // namespace fasterapi::ws
