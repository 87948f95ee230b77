/*
 * The engine side of a protocol module's libFuzzer driver (header-only C++, test builds only; no
 * N-API, no libuv): module timers that fire when the driver says, an end-of-turn hook that runs
 * when the driver ends a "turn", and one connection's services (writes, borrowed writes held
 * until the driver releases them, user data, engine, address). It keeps the ABI's promises (a
 * fired timer is disarmed before it runs, timer_start re-arms, a borrowed write is released
 * exactly once, at once when refused) and aborts when the module breaks its own: a timer of
 * another engine, a hook or timer without a function, a second hook (a module has one), a write,
 * cork or engine lookup after on_close. One engine per process, as fuzz drivers are
 * single-threaded: reset() it for every input. Reading and UDP stay each driver's own.
 */
#ifndef FASTERAPI_FAKE_ENGINE_H
#define FASTERAPI_FAKE_ENGINE_H

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "fasterapi/engine_abi.h"

namespace fasterapi::fake {

/* A broken promise of the module: say which, then crash (libFuzzer keeps the input). */
inline void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fake engine: %s\n", what);
  std::abort();
}

/* A borrowed write (conn_write_ref) the engine still reads from: released by release_held(). */
struct Held {
  std::vector<fa_iovec> slices;
  fa_release_fn release;
  void* arg;
};

struct Engine {
  std::vector<fa_timer*> armed;
  fa_turn_hook* hook = nullptr;
  std::vector<Held> held;
};

inline Engine& engine() {
  static Engine e;
  return e;
}
inline fa_engine* engine_handle() { return reinterpret_cast<fa_engine*>(&engine()); }
inline void reset() { engine() = Engine{}; }

inline void timer_init(fa_engine* e, fa_timer* t, fa_timer_fn fire, void* arg) {
  check(e == engine_handle() && fire != nullptr, "timer_init needs this engine and a function");
  *t = fa_timer{fire, arg, e, 0, 0, 0};
}
inline void timer_stop(fa_timer* t) {
  check(t->engine == engine_handle(), "timer_stop on a timer this engine did not init");
  if (t->slot == 0) return;
  std::erase(engine().armed, t);
  t->slot = 0;
}
inline void timer_start(fa_timer* t, uint64_t ms) {
  timer_stop(t);
  t->deadline = ms;
  t->slot = 1;
  engine().armed.push_back(t);
}

/* Fires the armed timer at position `pick` (modulo their number), as a timer callback outside
 * every connection callback. */
inline void fire_timer(uint8_t pick) {
  std::vector<fa_timer*>& armed = engine().armed;
  if (armed.empty()) return;
  fa_timer* t = armed[pick % armed.size()];
  timer_stop(t);
  t->fire(t, t->arg);
}

/* Fires every timer armed now once (in arming order), skipping any that an earlier one stopped. */
inline void fire_armed() {
  const std::vector<fa_timer*> due = engine().armed;
  for (fa_timer* t : due) {
    if (std::find(engine().armed.begin(), engine().armed.end(), t) == engine().armed.end()) continue;
    timer_stop(t);
    t->fire(t, t->arg);
  }
}

inline void turn_hook_request(fa_engine* e, fa_turn_hook* hook) {
  check(e == engine_handle() && hook->fn != nullptr, "turn_hook_request needs this engine and a function");
  check(engine().hook == nullptr || engine().hook == hook, "turn_hook_request with a second hook");
  engine().hook = hook;
}

/* The end of a loop turn: the requested hook (if any) runs once. Returns whether one ran (a hook
 * may request itself again while it runs: that is the next turn's). */
inline bool run_turn_hook() {
  fa_turn_hook* hook = engine().hook;
  engine().hook = nullptr;
  if (hook != nullptr) hook->fn(hook->arg);
  return hook != nullptr;
}

/* A connection as the module sees it (`base`), with what its writes and closes did. */
struct Conn {
  fa_conn base{};             // first member: fa_conn* and Conn* convert both ways
  bool closing = false;       // conn_close was called: writes report FA_WRITE_CLOSED
  bool closed = false;        // on_close ran: the module must not touch it again
  bool backpressure = false;  // writes report FA_WRITE_BACKPRESSURE
  int corked = 0;
  size_t written = 0;
  size_t buffered = 0;        // what conn_buffered_bytes answers
  bool record = false;        // keep every written byte in `out`, for drivers that check the output
  std::vector<uint8_t> out;
};
inline Conn* conn_of(fa_conn* c) { return reinterpret_cast<Conn*>(c); }

inline int conn_write(fa_conn* c, const fa_iovec* iov, size_t n) {
  Conn* f = conn_of(c);
  check(!f->closed, "conn_write after on_close");
  if (f->closing) return FA_WRITE_CLOSED;
  for (size_t i = 0; i < n; ++i) {
    check(iov[i].len == 0 || iov[i].base != nullptr, "conn_write with a null buffer");
    f->written += iov[i].len;
    if (f->record && iov[i].len > 0) f->out.insert(f->out.end(), iov[i].base, iov[i].base + iov[i].len);
  }
  return f->backpressure ? FA_WRITE_BACKPRESSURE : FA_WRITE_OK;
}
/* Written like conn_write, but the bytes stay the module's until release_held() (or at once when
 * the write is refused, as the ABI says). */
inline int conn_write_ref(fa_conn* c, const fa_iovec* iov, size_t n, fa_release_fn release, void* arg) {
  check(release != nullptr, "conn_write_ref without a release function");
  const int rc = conn_write(c, iov, n);
  if (rc == FA_WRITE_CLOSED) release(arg);
  else engine().held.push_back({std::vector<fa_iovec>(iov, iov + n), release, arg});
  return rc;
}
/* The held writes reached the socket (or the connection dropped its queue): each release runs
 * once, after a read of its bytes, so ASan reports a slice the module freed while it was held. */
inline void release_held() {
  std::vector<Held> held;
  held.swap(engine().held);
  volatile uint8_t sum = 0;
  for (const Held& h : held) {
    for (const fa_iovec& s : h.slices) {
      for (size_t i = 0; i < s.len; ++i) sum = sum + s.base[i];
    }
    h.release(h.arg);
  }
}
inline size_t conn_buffered_bytes(fa_conn* c) { return conn_of(c)->buffered; }
inline void conn_close(fa_conn* c, int) { conn_of(c)->closing = true; }
inline void conn_cork(fa_conn* c) {
  check(!conn_of(c)->closed, "conn_cork after on_close");
  ++conn_of(c)->corked;
}
inline void conn_uncork(fa_conn* c) {
  check(conn_of(c)->corked > 0, "conn_uncork without conn_cork");
  --conn_of(c)->corked;
}
inline fa_engine* conn_engine(fa_conn* c) {
  check(!conn_of(c)->closed, "conn_engine after on_close");
  return engine_handle();
}
inline void* conn_user_data(fa_conn* c) { return c->user_data; }
inline void conn_set_user_data(fa_conn* c, void* user) { c->user_data = user; }
inline int conn_remote_address(fa_conn*, char* ip, size_t ip_len, int* port) {
  const int n = std::snprintf(ip, ip_len, "127.0.0.1");
  if (n < 0 || static_cast<size_t>(n) >= ip_len) return -1;
  *port = 1;
  return 0;
}

/* A table with this engine's timers, turn hook and connection services; the driver adds the rest. */
inline fa_engine_api engine_api() {
  return fa_engine_api{
      .abi_version = FA_ENGINE_ABI_VERSION,
      .size = sizeof(fa_engine_api),
      .conn_engine = conn_engine,
      .conn_write = conn_write,
      .conn_write_ref = conn_write_ref,
      .conn_cork = conn_cork,
      .conn_uncork = conn_uncork,
      .conn_buffered_bytes = conn_buffered_bytes,
      .conn_close = conn_close,
      .conn_user_data = conn_user_data,
      .conn_set_user_data = conn_set_user_data,
      .conn_remote_address = conn_remote_address,
      .timer_init = timer_init,
      .timer_start = timer_start,
      .timer_stop = timer_stop,
      .turn_hook_request = turn_hook_request,
  };
}

}  // namespace fasterapi::fake

#endif
