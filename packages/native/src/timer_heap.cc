// See timer_heap.h.
#include "timer_heap.h"

namespace fasterapi {

TimerHeap::TimerHeap(uv_loop_t* loop) : loop_(loop) {
  uv_timer_init(loop, &uv_timer_);
  // Timers alone must not keep the process or worker alive.
  uv_unref(reinterpret_cast<uv_handle_t*>(&uv_timer_));
  uv_timer_.data = this;
}

bool TimerHeap::earlier(const fa_timer* a, const fa_timer* b) const {
  return a->deadline < b->deadline || (a->deadline == b->deadline && a->order < b->order);
}

void TimerHeap::place(size_t at, fa_timer* timer) {
  heap_[at] = timer;
  timer->slot = static_cast<uint32_t>(at + 1);
}

void TimerHeap::sift_up(size_t at) {
  fa_timer* timer = heap_[at];
  while (at > 0) {
    const size_t parent = (at - 1) / 2;
    if (!earlier(timer, heap_[parent])) break;
    place(at, heap_[parent]);
    at = parent;
  }
  place(at, timer);
}

void TimerHeap::sift_down(size_t at) {
  fa_timer* timer = heap_[at];
  const size_t n = heap_.size();
  for (;;) {
    size_t child = 2 * at + 1;
    if (child >= n) break;
    if (child + 1 < n && earlier(heap_[child + 1], heap_[child])) child++;
    if (!earlier(heap_[child], timer)) break;
    place(at, heap_[child]);
    at = child;
  }
  place(at, timer);
}

void TimerHeap::remove_at(size_t at) {
  fa_timer* last = heap_.back();
  heap_.pop_back();
  if (at < heap_.size()) {
    place(at, last);
    sift_down(at);
    sift_up(last->slot - 1);
  }
}

void TimerHeap::start(fa_timer* timer, uint64_t ms) {
  if (closed_) return;
  // The loop time is from the start of this turn: refreshed (a vDSO clock read), a timer armed
  // late in a long turn still waits its full `ms`; +1 because that time is truncated to whole ms.
  uv_update_time(loop_);
  const uint64_t now = uv_now(loop_);
  timer->deadline = ms < kNever - now - 1 ? now + ms + 1 : kNever - 1;
  timer->order = next_order_++;
  if (timer->slot == 0) {
    heap_.push_back(timer);
    place(heap_.size() - 1, timer);
    sift_up(heap_.size() - 1);
  } else {
    const size_t at = timer->slot - 1;
    sift_up(at);
    sift_down(timer->slot - 1);
  }
  wait_for_first();
}

void TimerHeap::stop(fa_timer* timer) {
  if (timer->slot == 0) return;
  remove_at(timer->slot - 1);
  timer->slot = 0;
}

void TimerHeap::wait_for_first() {
  if (heap_.empty() || heap_[0]->deadline >= waiting_for_) return;
  waiting_for_ = heap_[0]->deadline;
  const uint64_t now = uv_now(loop_);
  uv_timer_start(&uv_timer_, on_due, waiting_for_ > now ? waiting_for_ - now : 0, 0);
}

void TimerHeap::on_due(uv_timer_t* handle) { static_cast<TimerHeap*>(handle->data)->fire_due(); }

void TimerHeap::fire_due() {
  waiting_for_ = kNever;
  const uint64_t now = uv_now(loop_);
  // Only timers armed before this pass: one that re-arms itself with 0 ms waits for the next.
  const uint64_t armed_before = next_order_;
  while (!heap_.empty() && heap_[0]->deadline <= now && heap_[0]->order < armed_before) {
    fa_timer* timer = heap_[0];
    remove_at(0);
    timer->slot = 0;
    timer->fire(timer, timer->arg);
    if (closed_) return;
  }
  wait_for_first();
}

void TimerHeap::close(uv_close_cb done, void* data) {
  for (fa_timer* timer : heap_) timer->slot = 0;
  heap_.clear();
  closed_ = true;
  uv_timer_stop(&uv_timer_);
  uv_timer_.data = data;
  uv_close(reinterpret_cast<uv_handle_t*>(&uv_timer_), done);
}

}  // namespace fasterapi
