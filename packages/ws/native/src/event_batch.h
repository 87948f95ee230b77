// The events of one loop turn on their way to JS: fixed-size records plus the bytes they carry
// (messages, close reasons, peer addresses), packed into blocks that JS receives as Buffers
// without a copy. A block lives until JS's Buffer over it is collected and every write that
// borrowed bytes from it (an echo sends the message it got) has gone out; standard-size blocks
// are then reused, so the hot path neither mallocs nor faults in fresh pages per turn.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fasterapi::ws {

struct BlockPool;

struct EventBlock {
  BlockPool* pool;
  uint8_t* data;
  size_t cap;
  size_t used;
  int refs;
  std::vector<uint32_t> meta;  // the records whose bytes are in this block
};

/** Drops one reference; the last one returns the block to its pool (or frees it). */
void block_release(EventBlock* block);
inline void block_retain(EventBlock* block) { ++block->refs; }

/** One event record: kind, handleLo, handleHi, arg, bytesOff, bytesLen. */
constexpr uint32_t kEventWords = 6;
/** Free bytes kept in front of a record's bytes so an unchanged echo is framed in place. */
constexpr size_t kFrameRoom = 10;
/**
 * Records at least this long get a frame room. Shorter messages are cheaper copied: the copy
 * packs many into one write, where borrowing costs a write segment (an iovec) each.
 */
constexpr size_t kBorrowMin = 4096;

class EventBatch {
 public:
  EventBatch();
  ~EventBatch();
  EventBatch(const EventBatch&) = delete;
  EventBatch& operator=(const EventBatch&) = delete;

  /** Appends a record; its `len` bytes are copied in (after kFrameRoom zeroed bytes from kBorrowMin on). */
  void add(uint32_t kind, uint64_t handle, uint32_t arg, const uint8_t* bytes, size_t len);
  /** Where the next record's `len` bytes go; `commit` with the same `len` appends that record. */
  uint8_t* reserve(size_t len);
  void commit(uint32_t kind, uint64_t handle, uint32_t arg, size_t len);
  bool empty() const { return blocks_.empty(); }
  /** Hands out the blocks with records, oldest first, and starts over; the caller owns each one's reference. */
  std::vector<EventBlock*> take();
  /** The memory the block pool holds now (blocks in JS, in write queues and free). */
  size_t pool_bytes() const;

 private:
  BlockPool* pool_;
  std::vector<EventBlock*> blocks_;  // the last one is being filled
};

/**
 * The frame header room in front of `data` (a message's bytes in `block`), holding `header`,
 * when `data` starts a record of exactly `len` bytes and the room is free or already holds that
 * header: then header and message go out as one borrowed range. Null otherwise (a subarray, or
 * the room framed differently by an earlier send).
 */
uint8_t* frame_room(EventBlock* block, const uint8_t* data, size_t len, const uint8_t* header, size_t header_len);

}  // namespace fasterapi::ws
