// N-API glue of the WebSocket protocol addon: createProtocol() checks the engine's function
// table, builds a Module and returns its protocol external plus the functions JS drives sockets
// with. Conversions only: every protocol decision lives in ws_module.cc.
#define NAPI_VERSION 8
#include <node_api.h>

#include <cstring>
#include <string>

#include "block_buffer.h"
#include "fasterapi/napi_args.h"
#include "fasterapi/napi_module.h"
#include "ws_module.h"

namespace fasterapi::ws {
namespace {

enum Callback : size_t { kOnEvents };
constexpr const char* kCallbackNames[] = {"onEvents"};

struct JsState {
  napi::JsCallbacks<1> js;
  std::string text;   // a string argument as UTF-8
  std::string topic;
  int64_t reported_pool_bytes = 0;  // what V8 was told the event blocks hold
};

JsState* js_of(Module* m) { return static_cast<JsState*>(m->js); }

using napi::number;

using Args = napi::CallArgs<Module, 5>;
using napi::arg_bool;
using napi::arg_double;
using napi::boolean;
using napi::get_args;

bool utf8(napi_env env, napi_value v, std::string& out) { return napi::string_arg(env, v, out, true); }

struct Bytes {
  const uint8_t* data = nullptr;
  size_t len = 0;
};

// A Buffer or string argument as bytes (strings as UTF-8 in `scratch`); false with a TypeError.
bool bytes_arg(napi_env env, napi_value v, std::string& scratch, Bytes& out, const char* what) {
  napi_valuetype type = napi_undefined;
  napi_typeof(env, v, &type);
  if (type == napi_string && utf8(env, v, scratch)) {
    out = {reinterpret_cast<const uint8_t*>(scratch.data()), scratch.size()};
    return true;
  }
  const char* data = nullptr;
  if (type != napi_object || !napi::buffer_arg(env, v, &data, &out.len)) {
    const std::string msg = std::string(what) + " must be a Buffer or a string";
    napi_throw_type_error(env, nullptr, msg.c_str());
    return false;
  }
  out.data = reinterpret_cast<const uint8_t*>(data);
  return true;
}

bool topic_arg(napi_env env, napi_value v, std::string& out) {
  napi_valuetype type = napi_undefined;
  napi_typeof(env, v, &type);
  if (type != napi_string || !utf8(env, v, out)) {
    napi_throw_type_error(env, nullptr, "topic must be a string");
    return false;
  }
  return true;
}

// send(handle, payload, binary, compress) -> SendResult
napi_value js_send(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, a)) return nullptr;
  Bytes payload;
  if (!bytes_arg(env, a.argv[1], js_of(a.m)->text, payload, "payload")) return nullptr;
  Conn* c = a.m->lookup(arg_double(env, a.argv[0]));
  if (c == nullptr) return number(env, kSendClosed);
  return number(env, a.m->send(c, payload.data, payload.len, arg_bool(env, a.argv[2]), arg_bool(env, a.argv[3]),
                               a.m->delivering));
}

// ping(handle, payload)
napi_value js_ping(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, a)) return nullptr;
  Bytes payload;
  if (!bytes_arg(env, a.argv[1], js_of(a.m)->text, payload, "payload")) return nullptr;
  if (Conn* c = a.m->lookup(arg_double(env, a.argv[0]))) a.m->ping(c, payload.data, payload.len);
  return nullptr;
}

// close(handle, code, reason): the code and reason were checked by @fasterapi/ws.
napi_value js_close(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, a)) return nullptr;
  Bytes reason;
  if (!bytes_arg(env, a.argv[2], js_of(a.m)->text, reason, "reason")) return nullptr;
  if (Conn* c = a.m->lookup(arg_double(env, a.argv[0]))) {
    a.m->close(c, static_cast<uint16_t>(arg_double(env, a.argv[1])), reason.data, reason.len);
  }
  return nullptr;
}

napi_value js_terminate(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, a)) return nullptr;
  if (Conn* c = a.m->lookup(arg_double(env, a.argv[0]))) a.m->terminate(c);
  return nullptr;
}

// subscribe / unsubscribe / isSubscribed (handle, topic) -> boolean
template <bool (Module::*Op)(Conn*, const std::string&)>
napi_value js_topic_op(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, a)) return nullptr;
  std::string& topic = js_of(a.m)->topic;
  if (!topic_arg(env, a.argv[1], topic)) return nullptr;
  Conn* c = a.m->lookup(arg_double(env, a.argv[0]));
  return boolean(env, c != nullptr && (a.m->*Op)(c, topic));
}

napi_value js_is_subscribed(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, a)) return nullptr;
  std::string& topic = js_of(a.m)->topic;
  if (!topic_arg(env, a.argv[1], topic)) return nullptr;
  Conn* c = a.m->lookup(arg_double(env, a.argv[0]));
  return boolean(env, c != nullptr && a.m->is_subscribed(c, topic));
}

// publish(topic, payload, binary, compress, exceptHandle | -1) -> deliveries
napi_value js_publish(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, a)) return nullptr;
  JsState* js = js_of(a.m);
  Bytes payload;
  if (!topic_arg(env, a.argv[0], js->topic) || !bytes_arg(env, a.argv[1], js->text, payload, "payload")) return nullptr;
  const Conn* except = a.m->lookup(arg_double(env, a.argv[4]));
  return number(env, a.m->publish(js->topic, payload.data, payload.len, arg_bool(env, a.argv[2]),
                                  arg_bool(env, a.argv[3]), except));
}

napi_value js_subscriber_count(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, a)) return nullptr;
  std::string& topic = js_of(a.m)->topic;
  if (!topic_arg(env, a.argv[0], topic)) return nullptr;
  return number(env, static_cast<double>(a.m->subscriber_count(topic)));
}

// bufferedAmount(handle) -> bytes queued (0 once gone)
napi_value js_buffered_amount(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, a)) return nullptr;
  Conn* c = a.m->lookup(arg_double(env, a.argv[0]));
  const bool writable = c != nullptr && !c->closed;
  return number(env, writable ? static_cast<double>(a.m->api->conn_buffered_bytes(c->conn)) : 0);
}

napi_value js_stats(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, a)) return nullptr;
  const ModuleStats& s = a.m->stats;
  const napi::NamedNumber fields[] = {
      {"open", s.open},         {"messagesIn", s.messages_in}, {"messagesOut", s.messages_out},
      {"bytesIn", s.bytes_in},  {"bytesOut", s.bytes_out},     {"dropped", s.dropped},
  };
  return napi::number_object(env, fields);
}

bool option_number(napi_env env, napi_value options, const char* name, double max, double* out) {
  napi_value v;
  napi_valuetype t = napi_undefined;
  double d = -1;
  if (napi_get_named_property(env, options, name, &v) == napi_ok) napi_typeof(env, v, &t);
  if (t == napi_number) napi_get_value_double(env, v, &d);
  if (!(d >= 0 && d <= max && d == static_cast<double>(static_cast<uint64_t>(d)))) {
    const std::string msg = std::string("createProtocol: options.") + name +
                            " must be an integer from 0 to " + std::to_string(static_cast<uint64_t>(max));
    napi_throw_type_error(env, nullptr, msg.c_str());
    return false;
  }
  *out = d;
  return true;
}

bool read_options(napi_env env, napi_value options, ModuleOptions* opts) {
  double max_payload, idle, backpressure;
  napi_value v;
  if (!option_number(env, options, "maxPayload", static_cast<double>(kMaxPayloadLimit), &max_payload) ||
      !option_number(env, options, "idleTimeoutMs", 4294967295.0, &idle) ||
      !option_number(env, options, "maxBackpressure", 9.0e15, &backpressure)) {
    return false;
  }
  opts->max_payload = static_cast<uint64_t>(max_payload);
  opts->idle_timeout_ms = static_cast<uint32_t>(idle);
  opts->max_backpressure = static_cast<uint64_t>(backpressure);
  napi_get_named_property(env, options, "closeOnBackpressureLimit", &v);
  opts->close_on_backpressure_limit = arg_bool(env, v);
  napi_get_named_property(env, options, "dedicatedCompressor", &v);
  opts->dedicated_compressor = arg_bool(env, v);
  return true;
}

// createProtocol(engineApi, { onEvents }, options) -> { protocol, send, ping, close, ... }
napi_value create_protocol(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  const fa_engine_api* api =
      napi::create_call_args(env, info, argv, "createProtocol", "createProtocol(engineApi, callbacks, options)");
  ModuleOptions opts{};
  if (api == nullptr || !read_options(env, argv[2], &opts)) return nullptr;
  const napi::Method methods[] = {
      {"send", js_send},
      {"ping", js_ping},
      {"close", js_close},
      {"terminate", js_terminate},
      {"subscribe", js_topic_op<&Module::subscribe>},
      {"unsubscribe", js_topic_op<&Module::unsubscribe>},
      {"isSubscribed", js_is_subscribed},
      {"publish", js_publish},
      {"subscriberCount", js_subscriber_count},
      {"bufferedAmount", js_buffered_amount},
      {"stats", js_stats},
  };
  return napi::new_module<Module, JsState>(env, api, opts, argv[1], kCallbackNames, "fasterapi.ws", methods);
}

// One onEvents call: the records as an ArrayBuffer, the block as a Buffer over its own memory.
void deliver_block(Module* m, napi_env env, EventBlock* b) {
  napi::HandleScope scope(env);
  napi_value argv[2];
  void* meta = nullptr;
  const size_t meta_len = b->meta.size() * 4;
  if (napi_create_arraybuffer(env, meta_len, &meta, &argv[0]) != napi_ok) {
    block_release(b);
    return;
  }
  std::memcpy(meta, b->meta.data(), meta_len);
  // The Buffer holds the block's reference from here on.
  argv[1] = block_buffer(env, b);
  if (argv[1] == nullptr) return;
  m->delivering = b;
  js_of(m)->js.call(kOnEvents, 2, argv);
  m->delivering = nullptr;
}

}  // namespace

// onEvents(meta: ArrayBuffer of uint32 records, bytes: Buffer): one call per block, at the turn's end.
void js_events(Module* m) {
  JsState* js = js_of(m);
  // Taken before JS runs: events JS causes start the next batch.
  for (EventBlock* b : m->events.take()) {
    if (js->js.alive) {
      deliver_block(m, js->js.env, b);
    } else {
      block_release(b);
    }
  }
  if (js->js.alive) report_pool_bytes(js->js.env, m->events.pool_bytes(), &js->reported_pool_bytes);
}

void js_release(Module* m) {
  JsState* js = js_of(m);
  if (js->js.alive) report_pool_bytes(js->js.env, 0, &js->reported_pool_bytes);
  delete js;
}

}  // namespace fasterapi::ws

NAPI_MODULE_INIT() {
  if (!fasterapi::ws::prepare_block_buffers(env)) return nullptr;
  return fasterapi::napi::export_function(env, exports, "createProtocol", fasterapi::ws::create_protocol);
}
