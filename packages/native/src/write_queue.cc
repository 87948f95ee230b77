// See write_queue.h.
#include "write_queue.h"

#include <algorithm>
#include <cstring>

namespace fasterapi {

uint8_t* WriteQueue::tail_space(size_t* avail) {
  if (head_ < segs_.size()) {
    Segment& tail = segs_.back();
    if (tail.chunk != nullptr) {
      // A tail chunk keeps filling even while its prefix is in flight: the in-flight write
      // holds only a pointer range, so appending past it is safe.
      size_t used = static_cast<size_t>(tail.data + tail.len - tail.chunk);
      if (used < BufferPool::kChunkSize) {
        *avail = BufferPool::kChunkSize - used;
        return tail.chunk + used;
      }
    }
  }
  uint8_t* chunk = pool_->acquire();
  if (head_ > 0 && head_ == segs_.size()) {
    segs_.clear();
    head_ = 0;
  }
  segs_.push_back(Segment{chunk, 0, chunk, nullptr, nullptr});
  *avail = BufferPool::kChunkSize;
  return chunk;
}

void WriteQueue::commit_tail(size_t len) {
  segs_.back().len += len;
  bytes_ += len;
}

void WriteQueue::append_copy(const uint8_t* data, size_t len) {
  while (len > 0) {
    size_t avail = 0;
    uint8_t* dst = tail_space(&avail);
    size_t n = std::min(avail, len);
    std::memcpy(dst, data, n);
    commit_tail(n);
    data += n;
    len -= n;
  }
}

void WriteQueue::append_ref(const fa_iovec* iov, size_t n, fa_release_fn release, void* arg) {
  if (head_ > 0 && head_ == segs_.size()) {
    segs_.clear();
    head_ = 0;
  }
  size_t last = segs_.size();
  bool any = false;
  for (size_t i = 0; i < n; i++) {
    if (iov[i].len == 0) continue;
    segs_.push_back(Segment{iov[i].base, iov[i].len, nullptr, nullptr, nullptr});
    bytes_ += iov[i].len;
    last = segs_.size() - 1;
    any = true;
  }
  if (release == nullptr) return;
  if (!any) {
    release(arg);
    return;
  }
  segs_[last].release = release;
  segs_[last].arg = arg;
}

size_t WriteQueue::gather(uv_buf_t* bufs, size_t max, size_t* total) const {
  size_t n = 0;
  size_t sum = 0;
  for (size_t i = head_; i < segs_.size() && n < max; i++) {
    const Segment& s = segs_[i];
    if (s.len == 0) continue;
    bufs[n++] = uv_buf_init(reinterpret_cast<char*>(const_cast<uint8_t*>(s.data)),
                            static_cast<unsigned int>(s.len));
    sum += s.len;
  }
  *total = sum;
  return n;
}

const uint8_t* WriteQueue::front(size_t* len) const {
  for (size_t i = head_; i < segs_.size(); i++) {
    if (segs_[i].len > 0) {
      *len = segs_[i].len;
      return segs_[i].data;
    }
  }
  *len = 0;
  return nullptr;
}

void WriteQueue::pop_front() {
  Segment s = segs_[head_++];
  if (s.chunk != nullptr) pool_->release(s.chunk);
  if (s.release != nullptr) s.release(s.arg);
  if (head_ == segs_.size()) {
    segs_.clear();
    head_ = 0;
  } else if (head_ >= 64 && head_ * 2 >= segs_.size()) {
    segs_.erase(segs_.begin(), segs_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
}

void WriteQueue::consume(size_t len) {
  bytes_ -= std::min(len, bytes_);
  while (head_ < segs_.size()) {
    Segment& s = segs_[head_];
    if (len < s.len) {
      s.data += len;
      s.len -= len;
      return;
    }
    len -= s.len;
    // A fully consumed pooled tail chunk still has room, but dropping it keeps ownership
    // simple: a chunk belongs to exactly one segment.
    pop_front();
    if (len == 0 && head_ < segs_.size() && segs_[head_].len != 0) return;
  }
}

void WriteQueue::clear() {
  while (head_ < segs_.size()) pop_front();
  bytes_ = 0;
}

}  // namespace fasterapi
