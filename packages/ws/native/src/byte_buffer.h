// Bytes being built by zlib: room is added without zeroing it (std::string::resize would clear
// every byte zlib is about to overwrite, tens of KiB per compressed message) and kept between
// messages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

namespace fasterapi::ws {

class ByteBuffer {
 public:
  const uint8_t* data() const { return bytes_.get(); }
  size_t size() const { return size_; }
  void clear() { size_ = 0; }

  /** At least `n` writable bytes after the current end (unspecified contents); size is unchanged. */
  uint8_t* room(size_t n) {
    if (cap_ - size_ < n) {
      size_t cap = cap_ == 0 ? 4096 : cap_;
      while (cap - size_ < n) cap *= 2;
      std::unique_ptr<uint8_t[]> bigger(new uint8_t[cap]);
      if (size_ > 0) std::memcpy(bigger.get(), bytes_.get(), size_);
      bytes_ = std::move(bigger);
      cap_ = cap;
    }
    return bytes_.get() + size_;
  }
  /** Counts `n` bytes written into room() as part of the contents. */
  void commit(size_t n) { size_ += n; }
  /** Drops the last `n` bytes. */
  void drop_tail(size_t n) { size_ -= n; }

 private:
  std::unique_ptr<uint8_t[]> bytes_;
  size_t size_ = 0;
  size_t cap_ = 0;
};

}  // namespace fasterapi::ws
