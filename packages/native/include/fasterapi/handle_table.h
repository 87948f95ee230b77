/*
 * Connection handles as JavaScript holds them (header-only C++, no N-API, no libuv): a double
 * naming a slot and that slot's generation, so a handle JS kept after its connection closed finds
 * nothing, even once a new connection took the slot. 2^22 slots and 2^30 generations make every
 * handle an integer below 2^52, exact in a double. The table does not own its items.
 */
#ifndef FASTERAPI_HANDLE_TABLE_H
#define FASTERAPI_HANDLE_TABLE_H

#include <cstdint>
#include <vector>

namespace fasterapi {

template <typename T>
class HandleTable {
 public:
  /* Puts `item` in a free slot; returns its handle. */
  double add(T* item) {
    uint32_t slot;
    if (free_.empty()) {
      slot = static_cast<uint32_t>(items_.size());
      items_.push_back(nullptr);
      generations_.push_back(0);
    } else {
      slot = free_.back();
      free_.pop_back();
    }
    items_[slot] = item;
    return static_cast<double>(generations_[slot]) * kSlots + slot;
  }

  /* The item `handle` names, or null: never handed out, removed since, or no handle at all. */
  T* find(double handle) const {
    if (!(handle >= 0) || handle > 9.0e15) return nullptr;
    const auto h = static_cast<uint64_t>(handle);
    const uint64_t slot = h % kSlots;
    if (slot >= items_.size() || generations_[slot] != h / kSlots) return nullptr;
    return items_[slot];
  }

  /* Frees the slot of `handle` (one add returned): from now on that handle names nothing. */
  void remove(double handle) {
    const auto slot = static_cast<uint32_t>(static_cast<uint64_t>(handle) % kSlots);
    items_[slot] = nullptr;
    generations_[slot] = (generations_[slot] + 1) & kGenerationMask;
    free_.push_back(slot);
  }

 private:
  static constexpr uint64_t kSlots = 1ull << 22;
  static constexpr uint32_t kGenerationMask = (1u << 30) - 1;
  std::vector<T*> items_;
  std::vector<uint32_t> generations_;
  std::vector<uint32_t> free_;
};

}  // namespace fasterapi

#endif
