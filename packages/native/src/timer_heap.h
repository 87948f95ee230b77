// The engine's module timers (fa_timer of engine_abi.h): a binary min-heap of module-owned timers
// keyed by (deadline, arming order) drives ONE unref'd uv_timer set to the earliest deadline.
// Start, re-arm and stop are O(log n) with no allocation once the heap has grown; the uv_timer is
// only restarted when a deadline earlier than the one it waits for appears (a stopped or
// postponed first timer just lets it fire early, find nothing due and wait again).
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "fasterapi/engine_abi.h"

namespace fasterapi {

class TimerHeap {
 public:
  explicit TimerHeap(uv_loop_t* loop);
  TimerHeap(const TimerHeap&) = delete;
  TimerHeap& operator=(const TimerHeap&) = delete;

  // Fires no earlier than `ms` from now (the loop time is refreshed first), never synchronously.
  void start(fa_timer* timer, uint64_t ms);
  void stop(fa_timer* timer);
  size_t armed() const { return heap_.size(); }
  // Teardown: forgets every armed timer (their storage may go away with their modules) and
  // closes the uv timer; `done` runs from its close callback.
  void close(uv_close_cb done, void* data);

 private:
  static constexpr uint64_t kNever = UINT64_MAX;
  static void on_due(uv_timer_t* handle);
  void fire_due();
  void wait_for_first();
  bool earlier(const fa_timer* a, const fa_timer* b) const;
  void place(size_t at, fa_timer* timer);
  void sift_up(size_t at);
  void sift_down(size_t at);
  void remove_at(size_t at);

  uv_loop_t* loop_;
  uv_timer_t uv_timer_;
  std::vector<fa_timer*> heap_;
  uint64_t waiting_for_ = kNever;  // the deadline the uv_timer is set to
  uint64_t next_order_ = 0;
  bool closed_ = false;
};

}  // namespace fasterapi
