// See timer_wheel.h.
#include "timer_wheel.h"

namespace fasterapi {

static void init_sentinel(TimerNode* s) { s->prev = s->next = s; }

TimerWheel::TimerWheel(uv_loop_t* loop, uint32_t resolution_ms, FireFn fire, void* ctx)
    : loop_(loop), resolution_ms_(resolution_ms), fire_(fire), ctx_(ctx) {
  uv_timer_init(loop, &timer_);
  // Timers alone must not keep the process or worker alive.
  uv_unref(reinterpret_cast<uv_handle_t*>(&timer_));
  timer_.data = this;
  for (TimerNode& s : slots_) init_sentinel(&s);
  init_sentinel(&firing_);
}

void TimerWheel::link(TimerNode* head, TimerNode* node) {
  node->prev = head->prev;
  node->next = head;
  head->prev->next = node;
  head->prev = node;
}

void TimerWheel::arm(TimerNode* node, uint32_t ms) {
  disarm(node);
  if (!running_) {
    running_ = true;
    last_tick_ms_ = uv_now(loop_);
    uv_timer_start(&timer_, on_tick, resolution_ms_, resolution_ms_);
  }
  // Count from the start of the current tick: tick k fires at last_tick + k * resolution,
  // which must not come before now + ms.
  uint64_t elapsed = uv_now(loop_) - last_tick_ms_;
  uint64_t ticks = (ms + elapsed + resolution_ms_ - 1) / resolution_ms_;
  node->deadline = now_ + (ticks == 0 ? 1 : ticks);
  node->armed = true;
  link(&slots_[node->deadline % kSlots], node);
  armed_++;
}

void TimerWheel::disarm(TimerNode* node) {
  if (!node->armed) return;
  node->prev->next = node->next;
  node->next->prev = node->prev;
  node->prev = node->next = nullptr;
  node->armed = false;
  armed_--;
}

void TimerWheel::on_tick(uv_timer_t* timer) { static_cast<TimerWheel*>(timer->data)->tick(); }

void TimerWheel::tick() {
  now_++;
  last_tick_ms_ = uv_now(loop_);
  TimerNode* slot = &slots_[now_ % kSlots];
  // Move due nodes to a private list first: firing may arm or disarm any node, including
  // other due ones, and disarm() unlinks from whichever list a node is on.
  for (TimerNode* n = slot->next; n != slot;) {
    TimerNode* next = n->next;
    if (n->deadline <= now_) {
      n->prev->next = n->next;
      n->next->prev = n->prev;
      link(&firing_, n);
    }
    n = next;
  }
  while (firing_.next != &firing_) {
    TimerNode* n = firing_.next;
    disarm(n);
    fire_(n, ctx_);
  }
  if (armed_ == 0 && running_) {
    running_ = false;
    uv_timer_stop(&timer_);
  }
}

void TimerWheel::close(uv_close_cb done, void* data) {
  uv_timer_stop(&timer_);
  running_ = false;
  timer_.data = data;
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), done);
}

}  // namespace fasterapi
