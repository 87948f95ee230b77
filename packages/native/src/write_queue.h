// An ordered queue of outgoing byte segments for one connection: copied bytes packed into
// pooled chunks, or borrowed bytes released through a callback once written. It only stores
// and hands out iovecs; the connection decides when to write them and to which socket.
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "buffer_pool.h"
#include "fasterapi/engine_abi.h"

namespace fasterapi {

class WriteQueue {
 public:
  explicit WriteQueue(BufferPool* pool) : pool_(pool) {}
  ~WriteQueue() { clear(); }
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;

  void append_copy(const uint8_t* data, size_t len);
  // Borrowed bytes; release(arg) runs once every one of them is consumed or cleared.
  void append_ref(const fa_iovec* iov, size_t n, fa_release_fn release, void* arg);

  // Writable space at the tail (a pooled chunk), for producers such as the TLS layer that
  // write in place; commit_tail() makes `len` of it part of the queue.
  uint8_t* tail_space(size_t* avail);
  void commit_tail(size_t len);

  // Fills up to `max` buffers from the front; returns how many were filled.
  size_t gather(uv_buf_t* bufs, size_t max, size_t* total) const;
  // Front segment, for consumers that process one segment at a time (TLS encryption).
  const uint8_t* front(size_t* len) const;
  void consume(size_t len);
  void clear();

  size_t bytes() const { return bytes_; }
  bool empty() const { return bytes_ == 0; }

 private:
  struct Segment {
    const uint8_t* data;
    size_t len;
    uint8_t* chunk;  // pooled chunk owned by this segment, or null
    fa_release_fn release;
    void* arg;
  };
  void pop_front();

  BufferPool* pool_;
  std::vector<Segment> segs_;
  size_t head_ = 0;  // index of the first live segment in segs_
  size_t bytes_ = 0;
};

}  // namespace fasterapi
