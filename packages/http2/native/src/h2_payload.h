// The body of a whole answer, held once: its stream reads DATA frame slices from it and the
// engine's write queue points into it (conn_write_ref, nghttp2's NO_COPY data), so bytes JS hands
// over are not copied again on their way to the socket or to TLS. Reference-counted: the stream
// holds one reference, every queued slice another; the last release frees it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace fasterapi::http2 {

struct Payload {
  uint32_t refs;
  size_t size;  // bytes in use, set by the writer (at most the capacity it was made with)

  /** A payload with room for `capacity` bytes and one reference; nullptr when out of memory. */
  static Payload* make(size_t capacity) {
    void* raw = std::malloc(sizeof(Payload) + capacity);
    if (raw == nullptr) return nullptr;
    return new (raw) Payload{1, 0};
  }

  /** Gives back the room past `size` (glibc shrinks in place); the payload may move. */
  static Payload* shrink(Payload* p) {
    void* raw = std::realloc(p, sizeof(Payload) + p->size);
    return raw != nullptr ? static_cast<Payload*>(raw) : p;
  }

  char* bytes() { return reinterpret_cast<char*>(this + 1); }
  void retain() { ++refs; }
  /** fa_release_fn shape, for conn_write_ref. */
  static void release(void* arg) {
    auto* p = static_cast<Payload*>(arg);
    if (--p->refs == 0) std::free(p);
  }
};

}  // namespace fasterapi::http2
