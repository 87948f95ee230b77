#include "event_batch.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace fasterapi::ws {

namespace {
// Many small messages share a block; a larger one gets a block of its own size (not reused).
// Four 64 KiB reads fit one block, so a busy turn crosses into JS a few times, not per read.
constexpr size_t kBlockSize = 256 * 1024;
// A block comes back only when the GC collects JS's Buffer over it, so under load one GC
// cycle's worth of blocks is out at once; keeping that many free (64 MiB at most) spares the
// malloc and, since V8 counts the pool's growth as external memory, a full GC per refill.
constexpr size_t kMaxFreeBlocks = 256;
// What stays free once every block is back (load has stopped): 4 MiB.
constexpr size_t kIdleFreeBlocks = 16;
}  // namespace

// Standard-size blocks for reuse. It outlives the batch while blocks are still out (in JS or in
// write queues), so a late release finds it; the last one frees it.
struct BlockPool {
  std::vector<EventBlock*> free;
  size_t out = 0;  // blocks not in `free`
  size_t bytes = 0;  // the memory of every block, out or free
  bool orphaned = false;

  EventBlock* acquire(size_t need) {
    ++out;
    if (need <= kBlockSize && !free.empty()) {
      EventBlock* b = free.back();
      free.pop_back();
      b->refs = 1;
      b->used = 0;
      b->meta.clear();
      return b;
    }
    const size_t cap = std::max(need, kBlockSize);
    bytes += cap;
    return new EventBlock{this, static_cast<uint8_t*>(std::malloc(cap)), cap, 0, 1, {}};
  }

  void give_back(EventBlock* b) {
    --out;
    if (!orphaned && b->cap == kBlockSize && free.size() < kMaxFreeBlocks) {
      free.push_back(b);
    } else {
      destroy(b);
    }
    if (out > 0) return;
    if (orphaned) {
      delete this;
      return;
    }
    while (free.size() > kIdleFreeBlocks) {
      destroy(free.back());
      free.pop_back();
    }
  }

  void destroy(EventBlock* b) {
    bytes -= b->cap;
    std::free(b->data);
    delete b;
  }

  ~BlockPool() {
    for (EventBlock* b : free) destroy(b);
  }
};

void block_release(EventBlock* block) {
  if (--block->refs == 0) block->pool->give_back(block);
}

EventBatch::EventBatch() : pool_(new BlockPool()) {}

EventBatch::~EventBatch() {
  for (EventBlock* b : blocks_) block_release(b);
  blocks_.clear();
  pool_->orphaned = true;
  if (pool_->out == 0) delete pool_;
}

namespace {
size_t room_for(size_t len) { return len >= kBorrowMin ? kFrameRoom : 0; }
}  // namespace

uint8_t* EventBatch::reserve(size_t len) {
  const size_t need = room_for(len) + len;
  EventBlock* b = blocks_.empty() ? nullptr : blocks_.back();
  if (b == nullptr || b->cap - b->used < need) {
    b = pool_->acquire(need);
    blocks_.push_back(b);
  }
  return b->data + b->used + room_for(len);
}

void EventBatch::commit(uint32_t kind, uint64_t handle, uint32_t arg, size_t len) {
  EventBlock* b = blocks_.back();
  const size_t room = room_for(len);
  std::memset(b->data + b->used, 0, room);
  const size_t at = b->used + room;
  b->used = at + len;
  const uint32_t record[kEventWords] = {kind,
                                        static_cast<uint32_t>(handle & 0xffffffffu),
                                        static_cast<uint32_t>(handle >> 32),
                                        arg,
                                        static_cast<uint32_t>(at),
                                        static_cast<uint32_t>(len)};
  b->meta.insert(b->meta.end(), record, record + kEventWords);
}

void EventBatch::add(uint32_t kind, uint64_t handle, uint32_t arg, const uint8_t* bytes, size_t len) {
  uint8_t* dst = reserve(len);
  if (len > 0) std::memcpy(dst, bytes, len);
  commit(kind, handle, arg, len);
}

size_t EventBatch::pool_bytes() const { return pool_->bytes; }

std::vector<EventBlock*> EventBatch::take() {
  std::vector<EventBlock*> out;
  out.swap(blocks_);
  return out;
}

uint8_t* frame_room(EventBlock* block, const uint8_t* data, size_t len, const uint8_t* header, size_t header_len) {
  if (len < kBorrowMin || data < block->data + kFrameRoom || data + len > block->data + block->used) return nullptr;
  const auto off = static_cast<uint32_t>(data - block->data);
  // Records are in offset order: find the one starting at `off`.
  const size_t records = block->meta.size() / kEventWords;
  size_t lo = 0;
  size_t hi = records;
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    if (block->meta[mid * kEventWords + 4] < off) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo == records || block->meta[lo * kEventWords + 4] != off || block->meta[lo * kEventWords + 5] != len) {
    return nullptr;
  }
  uint8_t* room = const_cast<uint8_t*>(data) - header_len;
  // A room is all zero until framed; a frame's first byte never is (FIN is set).
  if (room[0] == 0) {
    std::memcpy(room, header, header_len);
    return room;
  }
  return std::memcmp(room, header, header_len) == 0 ? room : nullptr;
}

}  // namespace fasterapi::ws
