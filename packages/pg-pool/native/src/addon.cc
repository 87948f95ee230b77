// N-API glue of the PostgreSQL session-socket addon: createWireProtocol() checks the engine's
// function table and returns the protocol external plus the few calls JS makes per session
// (write, pause/resume reading, close). Reads reach JS as (id, offset, length) into an
// append-only slab, so no ArrayBuffer is created per read and decoded values may keep
// pointing at the bytes they came from.
#define NAPI_VERSION 8
#include <node_api.h>

#include <cstring>
#include <string>

#include "fasterapi/napi_module.h"
#include "wire_module.h"

namespace fasterapi::pgwire {
namespace {

// A slab holds many reads; a read larger than one (the engine's reads are at most 64 KiB, kept
// bytes can be more) gets a slab of its own size.
constexpr size_t kSlabSize = 256 * 1024;

// The JS callbacks, by index into JsState::js. They run with a callback scope: microtasks (the
// awaits that follow a settled query, and the next query's write) run before the engine flushes.
enum Callback : size_t { kOnData, kOnDrain, kOnClosed };
constexpr const char* kCallbackNames[] = {"onData", "onDrain", "onClosed"};

// Reads are appended to the slab; JS's views keep replaced slabs alive as long as needed.
struct JsState {
  napi::JsModule<3> js;
};

JsState* js_of(WireModule* m) { return static_cast<JsState*>(m->js); }

using napi::number;

}  // namespace

void js_data(WireModule* m, uint64_t id, const uint8_t* data, size_t len) {
  JsState* js = js_of(m);
  if (!js->js.alive) return;
  napi_env env = js->js.env;
  napi::HandleScope scope(env);
  napi_value fresh = js->js.slab.available() >= len ? nullptr : js->js.slab.replace(env, len, kSlabSize);
  if (js->js.slab.available() < len) {
    // Out of memory for a slab: the session cannot go on without these bytes.
    if (fa_conn* conn = m->find(id)) m->api->conn_close(conn, FA_CLOSE_ABORT);
    return;
  }
  std::memcpy(js->js.slab.data + js->js.slab.used, data, len);
  napi_value argv[4] = {number(env, static_cast<double>(id)), number(env, static_cast<double>(js->js.slab.used)),
                        number(env, static_cast<double>(len)), fresh};
  js->js.slab.used += len;
  if (fresh == nullptr) napi_get_undefined(env, &argv[3]);
  js->js.call(kOnData, 4, argv);
}

// onDrain(id) / onClosed(id, reason): events that carry only the session (and a number).
static void js_session_event(WireModule* m, Callback callback, uint64_t id, size_t argc, double extra) {
  JsState* js = js_of(m);
  if (!js->js.alive) return;
  napi::HandleScope scope(js->js.env);
  napi_value argv[2] = {number(js->js.env, static_cast<double>(id)), number(js->js.env, extra)};
  js->js.call(callback, argc, argv);
}

void js_drain(WireModule* m, uint64_t id) { js_session_event(m, kOnDrain, id, 1, 0); }
void js_closed(WireModule* m, uint64_t id, fa_close_reason reason) { js_session_event(m, kOnClosed, id, 2, reason); }

void js_release(WireModule* m) { delete js_of(m); }

namespace {

// Every per-session call starts with (id, ...): finds the module and the live connection.
struct SessionArgs {
  WireModule* m = nullptr;
  fa_conn* conn = nullptr;
  napi_value argv[2];
  size_t argc = 2;
};

bool session_args(napi_env env, napi_callback_info info, SessionArgs& a) {
  void* data = nullptr;
  if (napi_get_cb_info(env, info, &a.argc, a.argv, nullptr, &data) != napi_ok || a.argc < 1) return false;
  a.m = static_cast<WireModule*>(data);
  double id = 0;
  if (napi_get_value_double(env, a.argv[0], &id) != napi_ok) return false;
  a.conn = a.m->find(static_cast<uint64_t>(id));
  return true;
}

// write(id, bytes) -> 1: keep writing, 0: wait for onDrain, -1: the session is gone.
napi_value js_write(napi_env env, napi_callback_info info) {
  SessionArgs a;
  if (!session_args(env, info, a) || a.argc < 2) return nullptr;
  if (a.conn == nullptr) return number(env, -1);
  napi_typedarray_type type;
  size_t length = 0, offset = 0;
  void* data = nullptr;
  napi_value ab;
  if (napi_get_typedarray_info(env, a.argv[1], &type, &length, &data, &ab, &offset) != napi_ok ||
      type != napi_uint8_array) {
    napi_throw_type_error(env, nullptr, "write(id, bytes): bytes must be a Uint8Array");
    return nullptr;
  }
  const fa_iovec iov{static_cast<const uint8_t*>(data), length};
  // Corked so the write leaves now when JS is outside an engine callback; inside one (the
  // usual case: the next query sent while the last answer is handled) it leaves when that ends.
  a.m->api->conn_cork(a.conn);
  const int r = a.m->api->conn_write(a.conn, &iov, 1);
  a.m->api->conn_uncork(a.conn);
  return number(env, r == FA_WRITE_OK ? 1 : r == FA_WRITE_BACKPRESSURE ? 0 : -1);
}

napi_value js_pause(napi_env env, napi_callback_info info) {
  SessionArgs a;
  if (session_args(env, info, a) && a.conn != nullptr) a.m->api->conn_pause_reading(a.conn);
  return nullptr;
}

napi_value js_resume(napi_env env, napi_callback_info info) {
  SessionArgs a;
  if (session_args(env, info, a) && a.conn != nullptr) a.m->api->conn_resume_reading(a.conn);
  return nullptr;
}

// close(id, graceful): graceful flushes queued writes (Terminate) before FIN; otherwise reset.
napi_value js_close(napi_env env, napi_callback_info info) {
  SessionArgs a;
  if (!session_args(env, info, a) || a.conn == nullptr) return nullptr;
  bool graceful = false;
  if (a.argc >= 2) napi_get_value_bool(env, a.argv[1], &graceful);
  a.m->api->conn_close(a.conn, graceful ? FA_CLOSE_GRACEFUL : FA_CLOSE_ABORT);
  return nullptr;
}

// The protocol external's finalizer: JS let go of the module, so no more events go to JS.
void finalize_protocol(napi_env, void* data, void*) {
  auto* m = static_cast<WireModule*>(data);
  js_of(m)->js.drop();
  module_release(m);
}

// createWireProtocol(engineApi, { onData, onDrain, onClosed })
//   -> { protocol, write, pauseReading, resumeReading, close }
napi_value create_wire_protocol(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  const fa_engine_api* api = napi::create_call_args(env, info, argv, "createWireProtocol", "createWireProtocol(engineApi, callbacks)");
  if (api == nullptr) return nullptr;
  auto* js = new JsState();
  if (!js->js.bind(env, argv[1], kCallbackNames, "createWireProtocol", "fasterapi.pgwire")) {
    delete js;
    return nullptr;
  }
  WireModule* m = create_module(api, js);
  const napi::Method methods[] = {
      {"write", js_write},
      {"pauseReading", js_pause},
      {"resumeReading", js_resume},
      {"close", js_close},
  };
  return napi::module_object(env, &m->proto, finalize_protocol, m, methods);
}

}  // namespace
}  // namespace fasterapi::pgwire

NAPI_MODULE_INIT() {
  return fasterapi::napi::export_function(env, exports, "createWireProtocol", fasterapi::pgwire::create_wire_protocol);
}
