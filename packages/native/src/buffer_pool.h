// Fixed-size byte chunks recycled through a free list, one pool per engine (one thread).
// Write queues and the TLS layer take their chunks from here so the hot path does not hit
// malloc. It is not thread-safe and does not grow chunks: callers split larger data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fasterapi {

class BufferPool {
 public:
  static constexpr size_t kChunkSize = 16 * 1024;

  explicit BufferPool(size_t max_free = 512) : max_free_(max_free) {}
  ~BufferPool();
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  uint8_t* acquire();
  void release(uint8_t* chunk);

 private:
  std::vector<uint8_t*> free_;
  size_t max_free_;
};

}  // namespace fasterapi
