// The body of a whole answer, held once: its stream reads DATA frame slices from it and the
// engine's write queue points into it (conn_write_ref, nghttp2's NO_COPY data), so its bytes are
// not copied again on their way to the socket or to TLS. The bytes are either the payload's own
// (copied in once, right after this header) or borrowed from an owner that keeps them alive
// (a large Buffer JS answered with). Reference-counted: the stream holds one reference, every
// queued slice another; the last release frees it and lets the owner go.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace fasterapi::http2 {

struct Payload {
  uint32_t refs;
  size_t size;  // bytes in use, set by the writer (at most the capacity it was made with)
  const char* data;
  void (*drop_owner)(void* owner);  // null for the payload's own bytes
  void* owner;

  /** A payload with room for `capacity` bytes of its own and one reference; nullptr when out of memory. */
  static Payload* make(size_t capacity) {
    void* raw = std::malloc(sizeof(Payload) + capacity);
    if (raw == nullptr) return nullptr;
    auto* p = new (raw) Payload{1, 0, nullptr, nullptr, nullptr};
    p->data = p->bytes();
    return p;
  }

  /** A payload over `size` bytes that `owner` keeps alive until `drop_owner(owner)`. */
  static Payload* borrow(const char* data, size_t size, void (*drop_owner)(void*), void* owner) {
    void* raw = std::malloc(sizeof(Payload));
    if (raw == nullptr) return nullptr;
    return new (raw) Payload{1, size, data, drop_owner, owner};
  }

  /** Gives back the room past `size` of a payload's own bytes (glibc shrinks in place); it may move. */
  static Payload* shrink(Payload* p) {
    void* raw = std::realloc(p, sizeof(Payload) + p->size);
    if (raw == nullptr) return p;
    p = static_cast<Payload*>(raw);
    p->data = p->bytes();
    return p;
  }

  /** Where the writer puts a made payload's own bytes. */
  char* bytes() { return reinterpret_cast<char*>(this + 1); }
  void retain() { ++refs; }
  /** fa_release_fn shape, for conn_write_ref. */
  static void release(void* arg) {
    auto* p = static_cast<Payload*>(arg);
    if (--p->refs != 0) return;
    if (p->drop_owner != nullptr) p->drop_owner(p->owner);
    std::free(p);
  }
};

}  // namespace fasterapi::http2
