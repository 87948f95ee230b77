// One hashed timer wheel per engine: every connection timer (header, idle, body, close) is
// an intrusive node in a slot, and a single unref'd uv_timer ticks once per resolution while
// any node is armed. Coarse on purpose: O(1) arm/disarm, no per-connection uv handles.
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>

namespace fasterapi {

struct TimerNode {
  TimerNode* prev = nullptr;
  TimerNode* next = nullptr;
  uint64_t deadline = 0;  // in ticks
  bool armed = false;
};

class TimerWheel {
 public:
  using FireFn = void (*)(TimerNode* node, void* ctx);

  TimerWheel(uv_loop_t* loop, uint32_t resolution_ms, FireFn fire, void* ctx);
  TimerWheel(const TimerWheel&) = delete;
  TimerWheel& operator=(const TimerWheel&) = delete;

  // Fires after at least `ms` and at most `ms + resolution` (plus loop latency).
  void arm(TimerNode* node, uint32_t ms);
  void disarm(TimerNode* node);
  // Closes the uv timer; `done` runs from its close callback.
  void close(uv_close_cb done, void* data);
  size_t armed() const { return armed_; }

 private:
  static constexpr size_t kSlots = 256;
  static void on_tick(uv_timer_t* timer);
  void tick();
  void link(TimerNode* head, TimerNode* node);

  uv_timer_t timer_;
  uv_loop_t* loop_;
  uint64_t last_tick_ms_ = 0;  // uv_now() when the current tick began
  uint32_t resolution_ms_;
  FireFn fire_;
  void* ctx_;
  uint64_t now_ = 0;
  size_t armed_ = 0;
  bool running_ = false;
  TimerNode slots_[kSlots];  // sentinels of circular lists
  TimerNode firing_;
};

}  // namespace fasterapi
