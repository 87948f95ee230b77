// N-API glue of the HTTP/3 addon: createServer() checks the engine's table, builds a Server with
// its certificate and returns the UDP protocol external (for Engine.bindUdp) plus the functions
// JS answers with. Conversions only: every protocol decision lives in h3_server.cc / h3_connection.cc.
#define NAPI_VERSION 8
#include <node_api.h>

#include <string>

#include "fasterapi/napi_args.h"
#include "fasterapi/napi_module.h"
#include "h3_server.h"

namespace fasterapi::http3 {
namespace {


struct Addon {
  fa_udp_protocol proto;  // first member: fa_udp_protocol* and Addon* convert both ways
  napi::JsCallbacks<1> js;
  Server server;
  int refs = 1;  // the JS external's own reference
  bool torn_down = false;
  std::string text, body;  // conversion scratch

  Addon(const fa_engine_api* api, const Options& options)
      : server(api, options, Embedder{this, deliver}) {}

  static void deliver(void* ctx, std::vector<Event>& events);
};

Addon* addon_of(fa_udp_endpoint* ep) { return reinterpret_cast<Addon*>(ep->protocol); }

void retain(fa_udp_protocol* p) { reinterpret_cast<Addon*>(p)->refs++; }
void release(fa_udp_protocol* p) {
  auto* a = reinterpret_cast<Addon*>(p);
  if (--a->refs == 0) delete a;
}

int on_open(fa_udp_endpoint* ep, void* /*data*/) {
  addon_of(ep)->server.endpoint_open(ep);
  return 0;
}
void on_datagrams(fa_udp_endpoint* ep, const fa_udp_datagram* d, size_t n) { addon_of(ep)->server.on_datagrams(d, n); }
void on_shutdown(fa_udp_endpoint* ep) { addon_of(ep)->server.on_shutdown(); }
void on_close(fa_udp_endpoint* ep, fa_close_reason reason) {
  Addon* a = addon_of(ep);
  if (reason == FA_CLOSE_REASON_TEARDOWN) a->torn_down = true;
  a->server.endpoint_closed();
}

napi_value latin1_value(napi_env env, const std::string& s) {
  napi_value v;
  napi_create_string_latin1(env, s.data(), s.size(), &v);
  return v;
}

void Addon::deliver(void* ctx, std::vector<Event>& events) {
  auto* a = static_cast<Addon*>(ctx);
  if (a->torn_down || !a->js.alive) return;
  napi_env env = a->js.env;
  napi::HandleScope scope(env);
  // Three numbers per event in one Float64Array, and in an array only what numbers cannot say:
  // a request's head as one latin1 string, a body's chunk. A request crosses as one element
  // write and one string instead of nine writes, three strings and three numbers.
  size_t values = 0;
  for (const Event& e : events) values += e.kind == EventKind::kRequest || e.kind == EventKind::kBody ? 1 : 0;
  const size_t count = events.size() * 3;
  void* memory = nullptr;
  napi_value argv[2], buffer, undefined;
  napi_get_undefined(env, &undefined);
  if (napi_create_arraybuffer(env, count * sizeof(double), &memory, &buffer) != napi_ok ||
      napi_create_typedarray(env, napi_float64_array, count, buffer, 0, &argv[0]) != napi_ok ||
      napi_create_array_with_length(env, values, &argv[1]) != napi_ok) {
    return;
  }
  auto* words = static_cast<double*>(memory);
  uint32_t at = 0;
  for (Event& e : events) {
    *words++ = static_cast<double>(static_cast<unsigned>(e.kind) * 2 + (e.flag ? 1 : 0));
    *words++ = e.conn;
    *words++ = static_cast<double>(e.stream);
    napi_value value = undefined;
    if (e.kind == EventKind::kRequest) {
      a->text.assign(e.method).push_back('\0');
      a->text.append(e.path).push_back('\0');
      a->text.append(e.headers);
      napi_create_string_latin1(env, a->text.data(), a->text.size(), &value);
    } else if (e.kind == EventKind::kBody) {
      if (!e.bytes.empty()) napi_create_buffer_copy(env, e.bytes.size(), e.bytes.data(), nullptr, &value);
    } else {
      continue;
    }
    napi_set_element(env, argv[1], at++, value);
  }
  a->js.call(0, 2, argv);
}

// ---- JS surface ----------------------------------------------------------------------------

Addon* this_addon(napi_env env, napi_callback_info info, size_t* argc, napi_value* argv) {
  void* data = nullptr;
  napi_get_cb_info(env, info, argc, argv, nullptr, &data);
  return static_cast<Addon*>(data);
}

double num(napi_env env, napi_value v) {
  double out = 0;
  napi_get_value_double(env, v, &out);
  return out;
}

using napi::boolean;

// Reads a string (latin1) into `out`; false for anything that is not a string.
bool latin1(napi_env env, napi_value v, std::string& out) { return napi::string_arg(env, v, out, false); }

// respond(conn, stream, status, body, contentType, joinedHeaders, streamed, head) -> boolean
napi_value respond(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  Addon* a = this_addon(env, info, &argc, argv);
  if (argc < 8) {
    napi_throw_type_error(env, nullptr, "respond(conn, stream, status, body, contentType, headers, streamed, head)");
    return nullptr;
  }
  const uint8_t* body = nullptr;
  size_t len = 0;
  bool is_buffer = false;
  napi_is_buffer(env, argv[3], &is_buffer);
  if (is_buffer) {
    void* data = nullptr;
    napi_get_buffer_info(env, argv[3], &data, &len);
    body = static_cast<const uint8_t*>(data);
  } else {
    napi_valuetype type;
    napi_typeof(env, argv[3], &type);
    if (type == napi_string) {
      napi_get_value_string_utf8(env, argv[3], nullptr, 0, &len);
      a->body.resize(len);
      napi_get_value_string_utf8(env, argv[3], a->body.data(), len + 1, &len);
      body = reinterpret_cast<const uint8_t*>(a->body.data());
    }
  }
  std::string content_type;
  latin1(env, argv[4], content_type);
  latin1(env, argv[5], a->text);
  const bool ok = a->server.respond(static_cast<uint32_t>(num(env, argv[0])), static_cast<int64_t>(num(env, argv[1])),
                                    static_cast<uint32_t>(num(env, argv[2])), content_type, a->text, body, len,
                                    napi::arg_bool(env, argv[6]), napi::arg_bool(env, argv[7]));
  return boolean(env, ok);
}

// write(conn, stream, chunk: Buffer) -> 1 | 0 | -1
napi_value write(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  Addon* a = this_addon(env, info, &argc, argv);
  void* data = nullptr;
  size_t len = 0;
  if (argc < 3 || napi_get_buffer_info(env, argv[2], &data, &len) != napi_ok) {
    napi_throw_type_error(env, nullptr, "write(conn, stream, chunk: Buffer)");
    return nullptr;
  }
  const int r = a->server.write(static_cast<uint32_t>(num(env, argv[0])), static_cast<int64_t>(num(env, argv[1])),
                                static_cast<const uint8_t*>(data), len);
  return napi::number(env, r);
}

// The (conn, stream[, n]) calls.
template <typename Fn>
napi_value stream_call(napi_env env, napi_callback_info info, Fn fn) {
  size_t argc = 3;
  napi_value argv[3];
  Addon* a = this_addon(env, info, &argc, argv);
  if (argc < 2) {
    napi_throw_type_error(env, nullptr, "expected (conn, stream)");
    return nullptr;
  }
  return fn(a, static_cast<uint32_t>(num(env, argv[0])), static_cast<int64_t>(num(env, argv[1])),
            argc > 2 ? num(env, argv[2]) : 0);
}

napi_value end(napi_env env, napi_callback_info info) {
  return stream_call(env, info, [env](Addon* a, uint32_t c, int64_t s, double) {
    return boolean(env, a->server.end(c, s));
  });
}

napi_value consume(napi_env env, napi_callback_info info) {
  return stream_call(env, info, [](Addon* a, uint32_t c, int64_t s, double n) -> napi_value {
    a->server.consume(c, s, static_cast<size_t>(n));
    return nullptr;
  });
}

napi_value stop_reading(napi_env env, napi_callback_info info) {
  return stream_call(env, info, [](Addon* a, uint32_t c, int64_t s, double) -> napi_value {
    a->server.stop_reading(c, s);
    return nullptr;
  });
}

napi_value reset(napi_env env, napi_callback_info info) {
  return stream_call(env, info, [](Addon* a, uint32_t c, int64_t s, double) -> napi_value {
    a->server.reset(c, s);
    return nullptr;
  });
}

napi_value remote_address(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Addon* a = this_addon(env, info, &argc, argv);
  if (argc < 1) return nullptr;
  return latin1_value(env, a->server.remote_address(static_cast<uint32_t>(num(env, argv[0]))));
}

void set(napi_env env, napi_value obj, const char* key, double value) {
  napi_set_named_property(env, obj, key, napi::number(env, value));
}

napi_value stats(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Addon* a = this_addon(env, info, &argc, nullptr);
  const Stats& s = a->server.stats();
  napi_value obj;
  napi_create_object(env, &obj);
  set(env, obj, "connections", s.connections);
  set(env, obj, "activeConnections", s.active_connections);
  set(env, obj, "requests", s.requests);
  set(env, obj, "bytesIn", s.bytes_in);
  set(env, obj, "bytesOut", s.bytes_out);
  set(env, obj, "versionNegotiations", s.version_negotiations);
  set(env, obj, "retries", s.retries);
  set(env, obj, "statelessResets", s.stateless_resets);
  set(env, obj, "droppedDatagrams", s.dropped_datagrams);
  set(env, obj, "handshakeFailures", s.handshake_failures);
  return obj;
}

uint64_t option(napi_env env, napi_value options, const char* key, uint64_t fallback) {
  napi_value v;
  napi_valuetype type = napi_undefined;
  if (napi_get_named_property(env, options, key, &v) == napi_ok) napi_typeof(env, v, &type);
  return type == napi_number ? static_cast<uint64_t>(num(env, v)) : fallback;
}

void finalize(napi_env /*env*/, void* data, void* /*hint*/) {
  auto* a = static_cast<Addon*>(data);
  a->js.drop();
  release(&a->proto);
}

constexpr const char* kCallbackNames[] = {"onEvents"};
constexpr napi::Method kMethods[] = {
    {"respond", respond}, {"write", write},          {"end", end},
    {"consume", consume}, {"stopReading", stop_reading}, {"reset", reset},
    {"remoteAddress", remote_address}, {"stats", stats},
};

// createServer(api, callbacks, options, key, cert) -> { protocol, respond, write, ... }
napi_value create_server(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  const fa_engine_api* api = napi::create_call_args(env, info, argv, "createServer",
                                                    "createServer(api, callbacks, options, key, cert)");
  if (api == nullptr) return nullptr;
  if (api->udp == nullptr || api->udp->size < sizeof(fa_udp_api)) {
    napi_throw_error(env, nullptr, "createServer: this @fasterapi/native has no UDP endpoints");
    return nullptr;
  }
  Options o;
  o.max_streams = option(env, argv[2], "maxStreams", o.max_streams);
  o.stream_window = option(env, argv[2], "streamWindow", o.stream_window);
  o.connection_window = option(env, argv[2], "connectionWindow", o.connection_window);
  o.idle_timeout_ms = option(env, argv[2], "idleTimeoutMs", o.idle_timeout_ms);
  o.max_header_bytes = option(env, argv[2], "maxHeaderBytes", o.max_header_bytes);
  o.retry = static_cast<RetryMode>(option(env, argv[2], "retry", static_cast<uint64_t>(o.retry)));
  o.retry_load_threshold = option(env, argv[2], "retryLoadThreshold", o.retry_load_threshold);
  o.max_connections = option(env, argv[2], "maxConnections", o.max_connections);
  o.qpack_table_capacity = option(env, argv[2], "qpackTableCapacity", o.qpack_table_capacity);
  o.qpack_blocked_streams = option(env, argv[2], "qpackBlockedStreams", o.qpack_blocked_streams);

  auto* a = new Addon(api, o);
  std::string key, cert, error;
  if (!latin1(env, argv[3], key) || !latin1(env, argv[4], cert) || !a->server.set_certificate(key, cert, &error)) {
    delete a;
    const std::string msg = "createServer: the TLS key or certificate was refused: " + error;
    napi_throw_error(env, "ERR_HTTP3_TLS", msg.c_str());
    return nullptr;
  }
  if (!a->js.bind(env, argv[1], kCallbackNames, "createServer", "fasterapi:http3")) {
    delete a;
    return nullptr;
  }
  a->proto = fa_udp_protocol{FA_ENGINE_ABI_VERSION, sizeof(fa_udp_protocol), "h3", a, on_open, on_datagrams,
                             nullptr, on_shutdown, on_close, retain, release};
  napi_value result, external;
  const napi_type_tag tag = {FA_UDP_PROTOCOL_TAG_LOWER, FA_UDP_PROTOCOL_TAG_UPPER};
  if (napi_create_external(env, &a->proto, nullptr, nullptr, &external) != napi_ok ||
      napi_type_tag_object(env, external, &tag) != napi_ok ||
      napi_add_finalizer(env, external, a, finalize, nullptr, nullptr) != napi_ok ||
      napi_create_object(env, &result) != napi_ok ||
      napi_set_named_property(env, result, "protocol", external) != napi_ok ||
      !napi::define_methods(env, result, kMethods, a)) {
    return nullptr;
  }
  return result;
}

}  // namespace
}  // namespace fasterapi::http3

NAPI_MODULE_INIT() { return fasterapi::napi::export_function(env, exports, "createServer", fasterapi::http3::create_server); }
