// N-API glue of the PostgreSQL session-socket addon: createWireProtocol() checks the engine's
// function table and returns the protocol external plus the few calls JS makes per session
// (write, pause/resume reading, close). Reads reach JS as (id, offset, length) into an
// append-only slab, so no ArrayBuffer is created per read and decoded values may keep
// pointing at the bytes they came from.
#define NAPI_VERSION 8
#include <node_api.h>

#include <cstring>
#include <string>

#include "wire_module.h"

namespace fasterapi::pgwire {
namespace {

#define CHECK_NAPI(call)                   \
  do {                                     \
    if ((call) != napi_ok) return nullptr; \
  } while (0)

// A slab holds many reads; a read larger than one (the engine's reads are at most 64 KiB, kept
// bytes can be more) gets a slab of its own size.
constexpr size_t kSlabSize = 256 * 1024;

struct JsState {
  napi_env env = nullptr;
  napi_ref on_data = nullptr;
  napi_ref on_drain = nullptr;
  napi_ref on_closed = nullptr;
  napi_async_context async = nullptr;
  // Regions handed to JS are never rewritten; a full slab is replaced, and JS's views keep the
  // old one alive for as long as they need it.
  napi_ref slab = nullptr;
  uint8_t* slab_data = nullptr;
  size_t slab_size = 0;
  size_t slab_used = 0;
  bool alive = true;  // false once JS dropped the protocol: events are no longer delivered
};

JsState* js_of(WireModule* m) { return static_cast<JsState*>(m->js); }

// Calls JS from an engine callback with a callback scope, so microtasks (the awaits that follow
// a settled query, and the next query's write) run before the engine flushes this connection.
void call(JsState* js, napi_ref fn_ref, size_t argc, napi_value* argv) {
  napi_value fn, recv;
  napi_get_reference_value(js->env, fn_ref, &fn);
  napi_get_global(js->env, &recv);
  if (napi_make_callback(js->env, js->async, recv, fn, argc, argv, nullptr) == napi_ok) return;
  bool pending = false;
  napi_is_exception_pending(js->env, &pending);
  if (pending) {
    napi_value error;
    napi_get_and_clear_last_exception(js->env, &error);
    napi_fatal_exception(js->env, error);
  }
}

napi_value number(napi_env env, double v) {
  napi_value out;
  napi_create_double(env, v, &out);
  return out;
}

// Makes room for `len` bytes; returns the new slab's ArrayBuffer when it had to replace the old one.
napi_value reserve_slab(JsState* js, size_t len) {
  if (js->slab != nullptr && js->slab_size - js->slab_used >= len) return nullptr;
  const size_t size = len > kSlabSize ? len : kSlabSize;
  void* data = nullptr;
  napi_value buffer;
  if (napi_create_arraybuffer(js->env, size, &data, &buffer) != napi_ok) return nullptr;
  if (js->slab != nullptr) napi_delete_reference(js->env, js->slab);
  napi_create_reference(js->env, buffer, 1, &js->slab);
  js->slab_data = static_cast<uint8_t*>(data);
  js->slab_size = size;
  js->slab_used = 0;
  return buffer;
}

}  // namespace

void js_data(WireModule* m, uint64_t id, const uint8_t* data, size_t len) {
  JsState* js = js_of(m);
  if (!js->alive) return;
  napi_handle_scope scope;
  napi_open_handle_scope(js->env, &scope);
  napi_value fresh = reserve_slab(js, len);
  if (js->slab_size - js->slab_used < len) {
    // Out of memory for a slab: the session cannot go on without these bytes.
    napi_close_handle_scope(js->env, scope);
    if (fa_conn* conn = m->find(id)) m->api->conn_close(conn, FA_CLOSE_ABORT);
    return;
  }
  std::memcpy(js->slab_data + js->slab_used, data, len);
  napi_value argv[4] = {number(js->env, static_cast<double>(id)),
                        number(js->env, static_cast<double>(js->slab_used)),
                        number(js->env, static_cast<double>(len)), fresh};
  js->slab_used += len;
  if (fresh == nullptr) napi_get_undefined(js->env, &argv[3]);
  call(js, js->on_data, 4, argv);
  napi_close_handle_scope(js->env, scope);
}

void js_drain(WireModule* m, uint64_t id) {
  JsState* js = js_of(m);
  if (!js->alive) return;
  napi_handle_scope scope;
  napi_open_handle_scope(js->env, &scope);
  napi_value argv[1] = {number(js->env, static_cast<double>(id))};
  call(js, js->on_drain, 1, argv);
  napi_close_handle_scope(js->env, scope);
}

void js_closed(WireModule* m, uint64_t id, fa_close_reason reason) {
  JsState* js = js_of(m);
  if (!js->alive) return;
  napi_handle_scope scope;
  napi_open_handle_scope(js->env, &scope);
  napi_value argv[2] = {number(js->env, static_cast<double>(id)), number(js->env, reason)};
  call(js, js->on_closed, 2, argv);
  napi_close_handle_scope(js->env, scope);
}

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
void finalize_protocol(napi_env env, void* data, void*) {
  auto* m = static_cast<WireModule*>(data);
  JsState* js = js_of(m);
  js->alive = false;
  for (napi_ref r : {js->on_data, js->on_drain, js->on_closed, js->slab})
    if (r != nullptr) napi_delete_reference(env, r);
  napi_async_destroy(env, js->async);
  module_release(m);
}

napi_ref callback_ref(napi_env env, napi_value callbacks, const char* name) {
  napi_value fn;
  napi_valuetype t = napi_undefined;
  if (napi_get_named_property(env, callbacks, name, &fn) == napi_ok) napi_typeof(env, fn, &t);
  if (t != napi_function) {
    const std::string msg = std::string("createWireProtocol: callbacks.") + name + " must be a function";
    napi_throw_type_error(env, nullptr, msg.c_str());
    return nullptr;
  }
  napi_ref ref = nullptr;
  napi_create_reference(env, fn, 1, &ref);
  return ref;
}

// createWireProtocol(engineApi, { onData, onDrain, onClosed })
//   -> { protocol, write, pauseReading, resumeReading, close }
napi_value create_wire_protocol(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK_NAPI(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  const napi_type_tag api_tag = {FA_ENGINE_API_TAG_LOWER, FA_ENGINE_API_TAG_UPPER};
  bool tagged = false;
  void* api_ptr = nullptr;
  if (argc < 2 || napi_check_object_type_tag(env, argv[0], &api_tag, &tagged) != napi_ok || !tagged ||
      napi_get_value_external(env, argv[0], &api_ptr) != napi_ok) {
    napi_throw_type_error(env, nullptr,
                          "createWireProtocol: the first argument must be @fasterapi/native's engineApi()");
    return nullptr;
  }
  const auto* api = static_cast<const fa_engine_api*>(api_ptr);
  if (api->abi_version != FA_ENGINE_ABI_VERSION || api->size < sizeof(fa_engine_api)) {
    napi_throw_error(env, nullptr, "createWireProtocol: @fasterapi/native speaks a different engine ABI version");
    return nullptr;
  }
  auto* js = new JsState();
  js->env = env;
  js->on_data = callback_ref(env, argv[1], "onData");
  js->on_drain = js->on_data ? callback_ref(env, argv[1], "onDrain") : nullptr;
  js->on_closed = js->on_drain ? callback_ref(env, argv[1], "onClosed") : nullptr;
  if (js->on_closed == nullptr) {
    for (napi_ref r : {js->on_data, js->on_drain})
      if (r != nullptr) napi_delete_reference(env, r);
    delete js;
    return nullptr;
  }
  napi_value resource, resource_name;
  napi_create_object(env, &resource);
  napi_create_string_utf8(env, "fasterapi.pgwire", NAPI_AUTO_LENGTH, &resource_name);
  napi_async_init(env, resource, resource_name, &js->async);

  WireModule* m = create_module(api, js);
  napi_value result, protocol;
  CHECK_NAPI(napi_create_object(env, &result));
  CHECK_NAPI(napi_create_external(env, &m->proto, nullptr, nullptr, &protocol));
  const napi_type_tag proto_tag = {FA_PROTOCOL_TAG_LOWER, FA_PROTOCOL_TAG_UPPER};
  CHECK_NAPI(napi_type_tag_object(env, protocol, &proto_tag));
  CHECK_NAPI(napi_add_finalizer(env, protocol, m, finalize_protocol, nullptr, nullptr));
  CHECK_NAPI(napi_set_named_property(env, result, "protocol", protocol));
  const struct {
    const char* name;
    napi_callback fn;
  } methods[] = {
      {"write", js_write},
      {"pauseReading", js_pause},
      {"resumeReading", js_resume},
      {"close", js_close},
  };
  for (const auto& method : methods) {
    napi_value fn;
    CHECK_NAPI(napi_create_function(env, method.name, NAPI_AUTO_LENGTH, method.fn, m, &fn));
    CHECK_NAPI(napi_set_named_property(env, result, method.name, fn));
  }
  return result;
}

}  // namespace
}  // namespace fasterapi::pgwire

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "createWireProtocol", NAPI_AUTO_LENGTH, fasterapi::pgwire::create_wire_protocol,
                       nullptr, &fn);
  napi_set_named_property(env, exports, "createWireProtocol", fn);
  return exports;
}
