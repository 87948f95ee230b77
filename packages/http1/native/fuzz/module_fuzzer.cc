// libFuzzer driver for the protocol module's connection state machine (http1_module.cc) behind
// a fake engine that keeps the ABI's promises (kept bytes re-delivered, pause/resume, corked
// writes, backpressure, module timers, the end-of-turn hook, EOF, shutdown, close). The input is a script: each step either
// delivers request bytes or makes "JavaScript" answer, read a body, stream, or fire an event.
// ASan/UBSan and the checks below catch misuse of the ABI and broken state; no N-API involved.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "../src/http1_module.h"
#include "fasterapi/fake_engine.h"

using namespace fasterapi::http1;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

// The fake engine's connection plus what reading needs: the engine keeps unconsumed bytes.
struct FakeConn : fasterapi::fake::Conn {
  std::string kept;
  bool paused = false;
};

FakeConn* fake(fa_conn* c) { return static_cast<FakeConn*>(fasterapi::fake::conn_of(c)); }
fa_conn* as_fa(FakeConn* c) { return &c->base; }

void fake_pause(fa_conn* c) { fake(c)->paused = true; }
void fake_resume(fa_conn* c) { fake(c)->paused = false; }
size_t fake_buffered(fa_conn* c) { return fake(c)->backpressure ? 1 << 20 : 0; }

fa_engine_api make_api() {
  fa_engine_api api = fasterapi::fake::engine_api();
  api.conn_pause_reading = fake_pause;
  api.conn_resume_reading = fake_resume;
  api.conn_buffered_bytes = fake_buffered;
  return api;
}
const fa_engine_api kApi = make_api();

// What "JavaScript" knows: requests handed over and not yet answered, and bodies it may read.
struct JsView {
  std::vector<uint32_t> open;  // seqs in arrival order
  std::vector<uint32_t> with_body;
  bool answer_sync = false;    // answer inside the js_requests crossing (a synchronous handler)
  Module* m = nullptr;
  Conn* conn = nullptr;
} js;

void answer(Module* m, Conn* c, uint32_t seq, int status, const char* body, size_t len) {
  m->head.begin(m->out, status);
  m->head.add(m->out, "x-a", 3, "b", 1);
  m->send(c, seq, status, m->head, body, len, body != nullptr);
}

}  // namespace

namespace fasterapi::http1 {
void js_requests(Module* m) {
  const std::vector<uint32_t> meta = m->batch_meta;
  const size_t bytes = m->batch_bytes.size();
  require(m->batch_count > 0);
  m->clear_batch();  // before "JS" runs, as the addon does
  Conn* c = nullptr;
  for (size_t at = 0; at < meta.size();) {
    const double handle = static_cast<double>(meta[at]) + static_cast<double>(meta[at + 1]) * 4294967296.0;
    c = m->lookup(handle);
    require(c != nullptr && c == js.conn);
    const uint32_t records = meta[at + 2];
    require(records > 0);
    at += kGroupHeaderWords;
    for (uint32_t r = 0; r < records; ++r) {
      const uint32_t seq = meta[at];
      const uint32_t flags = meta[at + 1];
      const uint32_t n = meta[at + 8];
      // Every span (method, path, then name/value per header) lies inside the batch bytes.
      auto check = [&](size_t word) { require(static_cast<size_t>(meta[word]) + meta[word + 1] <= bytes); };
      check(at + 4);
      check(at + 6);
      for (uint32_t i = 0; i < 2 * n; ++i) check(at + kRecordFixedWords + 2 * i);
      js.open.push_back(seq);
      if (flags & kFlagHasBody) js.with_body.push_back(seq);
      at += kRecordFixedWords + 4 * n;
    }
  }
  if (js.answer_sync && !js.open.empty()) {
    const uint32_t seq = js.open.front();
    js.open.erase(js.open.begin());
    answer(m, c, seq, 200, "sync", 4);
  }
}
// Like the addon: "JS" hears of pending requests before any other event.
bool js_body(Module* m, Conn*, uint32_t, uint32_t) {
  m->deliver_batch();
  return true;
}
void js_drain(Module* m, Conn*) { m->deliver_batch(); }
void js_closed(Module* m, Conn*) { m->deliver_batch(); }
void js_release(Module*) {}
}  // namespace fasterapi::http1

namespace {

// The end of an event-loop turn: the queued turn hook runs (the batch reaches "JS"), and every
// cork is undone after.
void end_turn(FakeConn* f) {
  fasterapi::fake::run_turn_hook();
  require(f->corked == 0);
}

// Delivers bytes the way the engine does: kept bytes first, then the new ones.
void deliver(Module* m, FakeConn* f, const uint8_t* data, size_t len) {
  if (f->closing || f->paused) {
    if (!f->closing) f->kept.append(reinterpret_cast<const char*>(data), len);
    return;
  }
  f->kept.append(reinterpret_cast<const char*>(data), len);
  if (f->kept.empty()) return;
  const std::string input = f->kept;
  const ptrdiff_t r = m->proto.on_data(as_fa(f), reinterpret_cast<const uint8_t*>(input.data()), input.size());
  if (r == FA_DATA_CLOSE || r == FA_DATA_ABORT) {
    f->closing = true;
    f->kept.clear();
    return;
  }
  require(r >= 0 && static_cast<size_t>(r) <= input.size());
  f->kept = input.substr(static_cast<size_t>(r));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ModuleOptions opts{};
  opts.limits.max_head_bytes = 2048;
  opts.limits.max_request_line = 512;
  opts.limits.max_headers = 100;
  opts.header_timeout_ms = 60'000;
  opts.keep_alive_timeout_ms = 5'000;
  opts.body_timeout_ms = 300'000;
  auto* m = new Module(&kApi, opts);
  init_protocol(m);
  fasterapi::fake::reset();
  FakeConn f;
  f.base.api = &kApi;
  f.base.protocol = &m->proto;
  js = JsView{};
  js.m = m;
  require(m->proto.on_open(as_fa(&f), m->proto.data) == 0);
  Conn* c = static_cast<Conn*>(f.base.user_data);
  js.conn = c;
  size_t p = 0;
  while (p + 2 <= size && !f.closing) {
    const uint8_t op = data[p] % 12;
    const uint8_t arg = data[p + 1];
    p += 2;
    switch (op) {
      case 0:
      case 1:
      case 2: {  // request bytes (the most common step)
        const size_t n = arg % 64 + 1 < size - p ? arg % 64 + 1 : size - p;
        deliver(m, &f, data + p, n);
        p += n;
        break;
      }
      case 3:  // answer the oldest open request
        if (!js.open.empty()) {
          const uint32_t seq = js.open.front();
          js.open.erase(js.open.begin());
          const int statuses[] = {200, 204, 304, 404, 413, 500};
          answer(m, c, seq, statuses[arg % 6], arg & 1 ? nullptr : "hello", arg & 1 ? 0 : 5);
        }
        break;
      case 4:  // answer the newest open request (out of order)
        if (!js.open.empty()) {
          const uint32_t seq = js.open.back();
          js.open.pop_back();
          answer(m, c, seq, 200, "late", 4);
        }
        break;
      case 5:  // read the newest body with a small or large limit
        if (!js.with_body.empty()) m->read_body(c, js.with_body.back(), arg & 1 ? 16 : 1 << 20);
        break;
      case 6:
        m->resume_body(c);
        break;
      case 7:  // stream an answer to the oldest open request
        if (!js.open.empty()) {
          const uint32_t seq = js.open.front();
          js.open.erase(js.open.begin());
          m->head.begin(m->out, 200);
          if (m->start_stream(c, seq, 200)) {
            for (int i = 0; i < arg % 4; ++i) m->write_chunk(c, seq, "chunk", 5);
            // Odd args end with a trailer field in the last chunk.
            static const std::string kLastChunk = "0\r\n\r\n", kLastWithTrailer = "0\r\nx-sum: 1\r\n\r\n";
            m->end_stream(c, seq, arg & 1 ? kLastWithTrailer : kLastChunk);
          }
        }
        break;
      case 8:  // toggle backpressure; leaving it fires on_drain as the engine would
        f.backpressure = !f.backpressure;
        if (!f.backpressure) m->proto.on_drain(as_fa(&f));
        break;
      case 9:
        fasterapi::fake::fire_timer(arg);
        break;
      case 10:
        js.answer_sync = arg & 1;
        if (arg & 2) m->proto.on_shutdown(as_fa(&f));
        break;
      case 11:
        m->proto.on_end(as_fa(&f));
        p = size;  // the peer sends nothing after EOF
        break;
    }
    // The engine re-delivers kept bytes once reading resumes.
    if (!f.paused && !f.closing && !f.kept.empty() && op != 0 && op != 1 && op != 2) deliver(m, &f, nullptr, 0);
    end_turn(&f);
  }
  m->proto.on_close(as_fa(&f), FA_CLOSE_REASON_PEER);
  require(fasterapi::fake::engine().armed.empty());  // the module stopped its connection's timers
  f.closed = true;
  module_release(m);
  return 0;
}
