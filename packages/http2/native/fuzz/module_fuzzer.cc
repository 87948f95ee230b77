// libFuzzer driver for the HTTP/2 module's input path (h2_module.cc on nghttp2) behind a fake
// engine that keeps the ABI's promises (unconsumed bytes re-delivered, corked writes, backpressure,
// module timers, the end-of-turn hook, shutdown, close). The input is a script: each step delivers
// client bytes (after the fixed client preface) or makes "JavaScript" answer, stream, read a body,
// push, or fire an engine event. ASan/UBSan and the checks below catch misuse; no N-API involved.
// Linked with Debian's libnghttp2 (the addon uses Node's copy: same ABI, see README).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../src/h2_module.h"
#include "fasterapi/fake_engine.h"

using namespace fasterapi::http2;

namespace {

// A broken promise of the module: report where, then crash (libFuzzer keeps the input).
#define require(ok) ((ok) ? (void)0 : (std::fprintf(stderr, "invariant failed: %s (line %d)\n", #ok, __LINE__), std::abort()))

fasterapi::fake::Conn conn;

// Slices queued by reference (conn_write_ref) stay held until the socket "drains" or the
// connection closes (fasterapi::fake::release_held).
size_t drained = 0;  // conn.written at the last drain
size_t fake_buffered(fa_conn*) { return conn.written - drained; }
uint64_t fake_conn_id(fa_conn*) { return 1; }

fa_engine_api make_api() {
  fa_engine_api api = fasterapi::fake::engine_api();
  api.conn_buffered_bytes = fake_buffered;
  api.conn_id = fake_conn_id;
  return api;
}
const fa_engine_api kApi = make_api();

// What "JavaScript" knows: streams handed over and not yet answered.
std::vector<int32_t> open_streams;
Module* current = nullptr;

Stream* stream_named(int32_t id) {
  return current->stream(current->lookup(static_cast<double>(0)), id);
}

// Feeds bytes as the engine does: what on_data leaves unconsumed comes again with the next read.
std::string kept;
ptrdiff_t deliver(Module* m, const uint8_t* data, size_t len) {
  kept.append(reinterpret_cast<const char*>(data), len);
  const ptrdiff_t r = m->proto.on_data(&conn.base, reinterpret_cast<const uint8_t*>(kept.data()), kept.size());
  require(r == FA_DATA_CLOSE || r == FA_DATA_ABORT || (r >= 0 && static_cast<size_t>(r) <= kept.size()));
  if (r == FA_DATA_CLOSE || r == FA_DATA_ABORT) conn.closing = true;
  else kept.erase(0, static_cast<size_t>(r));
  return r;
}

constexpr char kPreface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

}  // namespace

// The module's ways to reach JavaScript, as a handler would use them.
namespace fasterapi::http2 {
void js_requests(Module* m) {
  for (Stream* st : m->batch) {
    if (st == nullptr) continue;
    st->in_batch = false;
    open_streams.push_back(st->id);
  }
  m->batch.clear();
}
bool js_body(Module*, Stream*, uint32_t events) { return (events & kBodyLimit) == 0; }
void js_drain(Module*, Stream*) {}
void js_stream_closed(Module*, Session*, int32_t id) { std::erase(open_streams, id); }
void js_release(Module*) {}
}  // namespace fasterapi::http2

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ModuleOptions opts{100, 65535, 1 << 20, 16384, 16384, 4096, 5000, 10000, 1 << 20, 100};
  auto* m = new Module(&kApi, opts);
  current = m;
  init_protocol(m);
  fasterapi::fake::reset();
  conn = fasterapi::fake::Conn{};
  drained = 0;
  conn.base.api = &kApi;
  conn.base.protocol = &m->proto;
  open_streams.clear();
  kept.clear();
  require(m->proto.on_open(&conn.base, m->proto.data) == 0);
  deliver(m, reinterpret_cast<const uint8_t*>(kPreface), sizeof kPreface - 1);
  std::vector<std::string> headers;
  size_t p = 0;
  while (p + 2 <= size && !conn.closing) {
    const uint8_t op = data[p] % 12;
    const uint8_t arg = data[p + 1];
    p += 2;
    Stream* st = open_streams.empty() ? nullptr : stream_named(open_streams[arg % open_streams.size()]);
    switch (op) {
      case 0:
      case 1:
      case 2:
      case 3: {  // client bytes (the most common step)
        const size_t n = static_cast<size_t>(arg) + 1 < size - p ? static_cast<size_t>(arg) + 1 : size - p;
        deliver(m, data + p, n);
        p += n;
        break;
      }
      case 4:
        fasterapi::fake::run_turn_hook();
        break;
      case 5:  // a whole answer
        if (st != nullptr) {
          headers = {"x-a", "b"};
          const int statuses[] = {200, 204, 304, 404, 413};
          Payload* body = Payload::make(5);
          std::memcpy(body->bytes(), "hello", 5);
          body->size = 5;
          m->respond(st, statuses[arg % 5], headers, body, (arg & 8) == 0, false);
        }
        break;
      case 6:  // a streamed answer, maybe with trailers
        if (st != nullptr && !st->responded) {
          headers.clear();
          m->respond(st, 200, headers, nullptr, false, true);
          const std::string chunk(arg * 16u, 'x');
          m->write(st, chunk.data(), chunk.size());
        } else if (st != nullptr) {
          m->end(st, arg & 1 ? std::vector<std::string>{"x-t", "1"} : std::vector<std::string>{});
        }
        break;
      case 7:
        if (st != nullptr) m->read_body(st, arg & 1 ? 16 : 1 << 20);
        break;
      case 8:
        if (st != nullptr) {
          m->resume_body(st);
          headers = {"link", "</a>"};
          m->informational(st, 103, headers);
        }
        break;
      case 9:
        if (st != nullptr) {
          headers.clear();
          m->push(st, "/pushed", headers);
        }
        break;
      case 10:
        fasterapi::fake::fire_timer(arg);
        break;
      case 11:  // engine events: socket backpressure toggles (with on_drain), or shutdown
        if (arg & 1) {
          m->proto.on_shutdown(&conn.base);
        } else {
          conn.backpressure = !conn.backpressure;
          if (!conn.backpressure) {
            fasterapi::fake::release_held();
            drained = conn.written;
            m->proto.on_drain(&conn.base);
          }
        }
        break;
    }
  }
  fasterapi::fake::run_turn_hook();
  require(conn.corked == 0);
  m->proto.on_close(&conn.base, FA_CLOSE_REASON_PEER);
  fasterapi::fake::release_held();  // the engine drops its queue with the connection
  for (fa_timer* t : fasterapi::fake::engine().armed) require(false && t);  // on_close stopped every timer
  module_release(m);
  return 0;
}
