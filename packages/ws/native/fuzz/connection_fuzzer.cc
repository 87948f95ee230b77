// libFuzzer driver for the WebSocket module's per-connection state machine (ws_module.cc), not
// just its frame parser: one connection handed over with fuzz-chosen permessage-deflate terms and
// limits, then the client's bytes fed through on_data in fuzz-chosen pieces the way the engine
// feeds them (unconsumed bytes kept for the next call), on the shared fake engine (fake_engine.h,
// its output recorded) with a stand-in for JS that answers each turn's events: it echoes messages
// (unchanged, as the other type, or a part: the echo-by-reference path), publishes, pings, closes
// and terminates, as the fuzz input says. Timers fire between pieces when asked.
// Checks besides crashes, leaks and sanitizer reports: on_data never claims more bytes than it
// got; every frame the server writes is well formed (unmasked, no reserved bits but RSV1 when
// deflate was agreed, control frames whole and at most 125 bytes); nothing follows a close frame;
// every borrowed write is released exactly once, at the end of the turn it was written in, and
// its bytes stay readable until then; no write after on_close, and on_close stops the
// connection's timers (the fake engine checks the rest of the ABI).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "../src/ws_module.h"
#include "fasterapi/fake_engine.h"

using namespace fasterapi::ws;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

// ---- one connection on the shared fake engine, and what the stand-in JS does -------------------

namespace fake = fasterapi::fake;

const fa_engine_api kApi = fake::engine_api();
fake::Conn conn;

struct Script {
  bool deflate = false;
  std::vector<uint8_t> actions;  // what the stand-in JS does, one byte per decision
  size_t next_action = 0;
  Module* module = nullptr;
} script;

uint8_t action() {
  if (script.actions.empty()) return 0;
  return script.actions[script.next_action++ % script.actions.size()];
}

// ---- the turn's end: the hook (JS), then the flush, then a pending close ----------------------

void end_turn() {
  while (fake::run_turn_hook()) {
  }
  fake::release_held();  // the turn's writes reached the socket
  require(conn.corked == 0);
  if (conn.closing && !conn.closed) {
    script.module->proto.on_close(&conn.base, FA_CLOSE_REASON_LOCAL);
    conn.closed = true;
    require(fake::engine().armed.empty());  // on_close stopped the connection's timers
    end_turn();                             // its close event goes to JS
  }
}

// ---- the server's output must be a well-formed frame sequence ---------------------------------

void check_output() {
  const std::vector<uint8_t>& o = conn.out;
  size_t at = 0;
  bool close_seen = false;
  while (at < o.size()) {
    require(!close_seen);  // nothing may follow a close frame
    require(o.size() - at >= 2);
    const uint8_t b0 = o[at];
    const uint8_t opcode = b0 & 0x0F;
    require((b0 & 0x80) != 0);         // the server never fragments
    require((b0 & 0x30) == 0);         // RSV2/RSV3 never
    if ((b0 & 0x40) != 0) require(script.deflate && (opcode == kOpText || opcode == kOpBinary));
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
  fake::reset();
  conn = fake::Conn{};
  conn.record = true;
  script = Script{};
  script.actions.assign(data + 2, data + 2 + n_actions);
  script.deflate = (terms & 0x01) != 0;
  conn.backpressure = (terms & 0x20) != 0;
  conn.buffered = conn.backpressure ? 2 * 1024 * 1024 : 0;
  ModuleOptions opts{};
  opts.max_payload = (terms & 0x10) != 0 ? 1024 : 1024 * 1024;
  opts.idle_timeout_ms = 1000;
  opts.max_backpressure = 1024 * 1024;
  opts.close_on_backpressure_limit = (terms & 0x40) != 0;
  opts.dedicated_compressor = (terms & 0x08) != 0;
  Module* m = new Module(&kApi, opts);
  script.module = m;
  init_protocol(m);
  conn.base.api = &kApi;
  conn.base.protocol = &m->proto;
  const uint8_t flags = static_cast<uint8_t>((script.deflate ? kHandoffDeflate : 0) |
                                             ((terms & 0x02) != 0 ? kHandoffClientNoContextTakeover : 0) |
                                             ((terms & 0x04) != 0 ? kHandoffServerNoContextTakeover : 0));
  const uint8_t bits = (terms & 0x80) != 0 ? 9 : 15;
  const uint8_t blob[kHandoffSize] = {kHandoffVersion, 7, 0, 0, 0, flags, bits, 0};
  require(m->proto.on_handover(&conn.base, m, blob, sizeof blob) == 0);
  end_turn();

  std::vector<uint8_t> kept;
  size_t at = 2 + n_actions;
  while (at < size && !conn.closing) {
    const uint8_t head = data[at++];
    const size_t n = std::min<size_t>((head & 0x7F) + 1u, size - at);
    kept.insert(kept.end(), data + at, data + at + n);
    at += n;
    const ptrdiff_t r = m->proto.on_data(&conn.base, kept.data(), kept.size());
    if (r == FA_DATA_CLOSE) {
      conn.closing = true;
    } else {
      require(r >= 0 && static_cast<size_t>(r) <= kept.size());
      kept.erase(kept.begin(), kept.begin() + r);
    }
    end_turn();
    if ((head & 0x80) != 0 && !conn.closed) {
      fake::fire_armed();
      end_turn();
    }
  }
  if (!conn.closed) {
    // The client went away.
    m->proto.on_close(&conn.base, FA_CLOSE_REASON_PEER);
    conn.closed = true;
    require(fake::engine().armed.empty());
    end_turn();
  }
  check_output();
  module_release(m);
  return 0;
}
