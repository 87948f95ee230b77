// See buffer_pool.h.
#include "buffer_pool.h"

#include <cstdlib>

namespace fasterapi {

BufferPool::~BufferPool() {
  for (uint8_t* chunk : free_) std::free(chunk);
}

uint8_t* BufferPool::acquire() {
  if (!free_.empty()) {
    uint8_t* chunk = free_.back();
    free_.pop_back();
    return chunk;
  }
  return static_cast<uint8_t*>(std::malloc(kChunkSize));
}

void BufferPool::release(uint8_t* chunk) {
  if (chunk == nullptr) return;
  // Keep a bounded reserve: a burst of large responses should not pin memory forever.
  if (free_.size() < max_free_) {
    free_.push_back(chunk);
  } else {
    std::free(chunk);
  }
}

}  // namespace fasterapi
