// libFuzzer driver for the WebSocket module's per-connection state machine (ws_module.cc), not
// just its frame parser: one connection handed over with fuzz-chosen permessage-deflate terms and
// limits, then the client's bytes fed through on_data in fuzz-chosen pieces the way the engine
// feeds them (unconsumed bytes kept for the next call), with a small in-process engine behind the
// C ABI and a stand-in for JS that answers each turn's events: it echoes messages (unchanged, as
// the other type, or a part: the echo-by-reference path), publishes, pings, closes and
// terminates, as the fuzz input says. Timers fire between pieces when asked.
// Checks besides crashes, leaks and sanitizer reports: on_data never claims more bytes than it
// got; every frame the server writes is well formed (unmasked, no reserved bits but RSV1 when
// deflate was agreed, control frames whole and at most 125 bytes); nothing follows a close frame;
// every borrowed write is released exactly once, after it was "written".
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "../src/ws_module.h"

using namespace fasterapi::ws;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

// ---- a one-connection engine behind the C ABI -----------------------------------------------

struct PendingRelease {
  fa_release_fn release;
  void* arg;
};

struct FakeEngine {
  fa_conn conn{};
  bool closed = false;        // conn_close was called
  bool close_reported = false;
  size_t buffered = 0;        // what conn_buffered_bytes answers
  bool deflate = false;
  std::vector<uint8_t> out;   // every byte written, in order
  std::vector<PendingRelease> releases;  // borrowed writes not yet "flushed"
  std::vector<fa_timer*> timers;
  std::vector<fa_turn_hook*> hooks;
  std::vector<uint8_t> actions;  // what the stand-in JS does, one byte per decision
  size_t next_action = 0;
  Module* module = nullptr;
};

FakeEngine* g = nullptr;
fa_engine* const kEngine = reinterpret_cast<fa_engine*>(&g);

uint8_t action() {
  if (g->actions.empty()) return 0;
  return g->actions[g->next_action++ % g->actions.size()];
}

fa_engine* conn_engine(fa_conn*) { return kEngine; }

int conn_write(fa_conn*, const fa_iovec* iov, size_t n) {
  if (g->closed) return FA_WRITE_CLOSED;
  for (size_t i = 0; i < n; ++i) g->out.insert(g->out.end(), iov[i].base, iov[i].base + iov[i].len);
  return g->buffered > 64 * 1024 ? FA_WRITE_BACKPRESSURE : FA_WRITE_OK;
}

int conn_write_ref(fa_conn* c, const fa_iovec* iov, size_t n, fa_release_fn release, void* arg) {
  const int rc = conn_write(c, iov, n);
  // The bytes must stay valid until the flush at the turn's end: released then, not now.
  if (release != nullptr) {
    if (rc == FA_WRITE_CLOSED) {
      release(arg);
    } else {
      g->releases.push_back({release, arg});
    }
  }
  return rc;
}

size_t conn_buffered_bytes(fa_conn*) { return g->buffered; }
void conn_close(fa_conn*, int) { g->closed = true; }
void conn_set_user_data(fa_conn* c, void* user) { c->user_data = user; }

int conn_remote_address(fa_conn*, char* ip, size_t ip_len, int* port) {
  std::strncpy(ip, "127.0.0.1", ip_len);
  *port = 40000;
  return 0;
}

void timer_init(fa_engine*, fa_timer* t, fa_timer_fn fire, void* arg) {
  t->fire = fire;
  t->arg = arg;
  t->slot = 0;
  g->timers.push_back(t);
}
void timer_start(fa_timer* t, uint64_t) { t->slot = 1; }
void timer_stop(fa_timer* t) { t->slot = 0; }

void turn_hook_request(fa_engine*, fa_turn_hook* hook) {
  if (hook->queued != 0) return;
  hook->queued = 1;
  g->hooks.push_back(hook);
}

fa_engine_api make_api() {
  fa_engine_api api{};
  api.abi_version = FA_ENGINE_ABI_VERSION;
  api.size = sizeof(fa_engine_api);
  api.conn_engine = conn_engine;
  api.conn_write = conn_write;
  api.conn_write_ref = conn_write_ref;
  api.conn_buffered_bytes = conn_buffered_bytes;
  api.conn_close = conn_close;
  api.conn_set_user_data = conn_set_user_data;
  api.conn_remote_address = conn_remote_address;
  api.timer_init = timer_init;
  api.timer_start = timer_start;
  api.timer_stop = timer_stop;
  api.turn_hook_request = turn_hook_request;
  return api;
}

// ---- the turn's end: hooks (JS), then the flush, then a pending close -------------------------

void end_turn() {
  while (!g->hooks.empty()) {
    std::vector<fa_turn_hook*> hooks;
    hooks.swap(g->hooks);
    for (fa_turn_hook* h : hooks) {
      h->queued = 0;
      h->fn(h->arg);
    }
  }
  for (const PendingRelease& r : g->releases) r.release(r.arg);
  g->releases.clear();
  if (g->closed && !g->close_reported) {
    g->close_reported = true;
    g->module->proto.on_close(&g->conn, FA_CLOSE_REASON_LOCAL);
    g->timers.clear();  // they belonged to the connection
    end_turn();         // its close event goes to JS
  }
}

void fire_timers() {
  std::vector<fa_timer*> armed;
  for (fa_timer* t : g->timers) {
    if (t->slot != 0) armed.push_back(t);
  }
  for (fa_timer* t : armed) {
    if (g->close_reported || t->slot == 0) continue;
    t->slot = 0;
    t->fire(t, t->arg);
  }
}

// ---- the server's output must be a well-formed frame sequence ---------------------------------

void check_output() {
  const std::vector<uint8_t>& o = g->out;
  size_t at = 0;
  bool close_seen = false;
  while (at < o.size()) {
    require(!close_seen);  // nothing may follow a close frame
    require(o.size() - at >= 2);
    const uint8_t b0 = o[at];
    const uint8_t opcode = b0 & 0x0F;
    require((b0 & 0x80) != 0);         // the server never fragments
    require((b0 & 0x30) == 0);         // RSV2/RSV3 never
    if ((b0 & 0x40) != 0) require(g->deflate && (opcode == kOpText || opcode == kOpBinary));
    require(opcode == kOpText || opcode == kOpBinary || opcode == kOpClose || opcode == kOpPing || opcode == kOpPong);
    require((o[at + 1] & 0x80) == 0);  // server frames are not masked
    uint64_t len = o[at + 1] & 0x7F;
    size_t header = 2;
    if (len == 126) {
      require(o.size() - at >= 4);
      len = (static_cast<uint64_t>(o[at + 2]) << 8) | o[at + 3];
      require(len >= 126);
      header = 4;
    } else if (len == 127) {
      require(o.size() - at >= 10);
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | o[at + 2 + i];
      require(len > 0xFFFF);
      header = 10;
    }
    if (opcode >= kOpClose) require(len <= 125);
    if (opcode == kOpClose) {
      require(len != 1);
      close_seen = true;
    }
    require(o.size() - at - header >= len);
    at += header + static_cast<size_t>(len);
  }
}

}  // namespace

// ---- the stand-in for JS (what addon.cc's js_events hands to @fasterapi/ws) -------------------

namespace fasterapi::ws {

void js_events(Module* m) {
  for (EventBlock* b : m->events.take()) {
    for (size_t r = 0; r + kEventWords <= b->meta.size(); r += kEventWords) {
      const uint32_t* rec = b->meta.data() + r;
      const double handle = static_cast<double>(rec[2]) * 4294967296.0 + rec[1];
      require(static_cast<size_t>(rec[4]) + rec[5] <= b->used);
      Conn* c = m->lookup(handle);
      if (c == nullptr) continue;
      const uint8_t* data = b->data + rec[4];
      const size_t len = rec[5];
      const bool binary = rec[3] == 1;
      if (rec[0] == kEventOpen) {
        m->subscribe(c, "room");
        continue;
      }
      if (rec[0] != kEventMessage) continue;
      m->delivering = b;
      const uint8_t a = action();
      switch (a % 8) {
        case 0:
        case 1:
          m->send(c, data, len, binary, (a & 0x10) != 0, b);
          break;
        case 2:
          m->send(c, data, len, binary, false, b);
          m->send(c, data, len, !binary, false, b);  // the frame room is taken: copied
          break;
        case 3:
          if (len > 0) m->send(c, data + 1, len - 1, binary, false, b);
          break;
        case 4:
          m->publish("room", data, len, binary, (a & 0x10) != 0, nullptr);
          break;
        case 5:
          m->ping(c, data, len);
          break;
        case 6: {
          static constexpr uint8_t kReason[] = "bye";
          m->close(c, (a & 0x10) != 0 ? 1000 : 4000, kReason, sizeof kReason - 1);
          break;
        }
        default:
          if ((a & 0x30) == 0x30) m->terminate(c);
          else m->unsubscribe(c, "room");
          break;
      }
      m->delivering = nullptr;
    }
    block_release(b);  // JS's Buffer over the block was collected
  }
}

void js_release(Module*) {}

}  // namespace fasterapi::ws

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Byte 0: the connection's terms; byte 1: how many action bytes follow; then the actions;
  // then the client's stream as pieces: a length byte (low 7 bits + 1; the high bit fires the
  // armed timers after the piece) and that many bytes.
  if (size < 2) return 0;
  const uint8_t terms = data[0];
  const size_t n_actions = data[1] % 16;
  if (size < 2 + n_actions) return 0;
  FakeEngine engine;
  g = &engine;
  engine.actions.assign(data + 2, data + 2 + n_actions);
  engine.deflate = (terms & 0x01) != 0;
  engine.buffered = (terms & 0x20) != 0 ? 2 * 1024 * 1024 : 0;
  const fa_engine_api api = make_api();
  ModuleOptions opts{};
  opts.max_payload = (terms & 0x10) != 0 ? 1024 : 1024 * 1024;
  opts.idle_timeout_ms = 1000;
  opts.max_backpressure = 1024 * 1024;
  opts.close_on_backpressure_limit = (terms & 0x40) != 0;
  opts.dedicated_compressor = (terms & 0x08) != 0;
  Module* m = new Module(&api, opts);
  engine.module = m;
  init_protocol(m);
  engine.conn.api = &api;
  engine.conn.protocol = &m->proto;
  const uint8_t flags = static_cast<uint8_t>((engine.deflate ? kHandoffDeflate : 0) |
                                             ((terms & 0x02) != 0 ? kHandoffClientNoContextTakeover : 0) |
                                             ((terms & 0x04) != 0 ? kHandoffServerNoContextTakeover : 0));
  const uint8_t bits = (terms & 0x80) != 0 ? 9 : 15;
  const uint8_t blob[kHandoffSize] = {kHandoffVersion, 7, 0, 0, 0, flags, bits, 0};
  require(m->proto.on_handover(&engine.conn, m, blob, sizeof blob) == 0);
  end_turn();

  std::vector<uint8_t> kept;
  size_t at = 2 + n_actions;
  while (at < size && !engine.closed) {
    const uint8_t head = data[at++];
    const size_t n = std::min<size_t>((head & 0x7F) + 1u, size - at);
    kept.insert(kept.end(), data + at, data + at + n);
    at += n;
    const ptrdiff_t r = m->proto.on_data(&engine.conn, kept.data(), kept.size());
    if (r == FA_DATA_CLOSE) {
      engine.closed = true;
    } else {
      require(r >= 0 && static_cast<size_t>(r) <= kept.size());
      kept.erase(kept.begin(), kept.begin() + r);
    }
    end_turn();
    if ((head & 0x80) != 0 && !engine.close_reported) {
      fire_timers();
      end_turn();
    }
  }
  if (!engine.close_reported) {
    // The client went away.
    engine.close_reported = true;
    m->proto.on_close(&engine.conn, FA_CLOSE_REASON_PEER);
    end_turn();
  }
  check_output();
  module_release(m);
  g = nullptr;
  return 0;
}
