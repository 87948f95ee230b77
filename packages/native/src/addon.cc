// N-API glue for the engine addon: the Engine class (listen, registerProtocol, adopt, close,
// stats, handle), engineApi() (the type-tagged external protocol addons attach to) and abiVersion. Context
// aware: all state hangs off napi instance data, and an async cleanup hook closes every
// socket when the environment (main thread or worker) goes away. No engine logic lives here.
#include <node_api.h>
#include <uv.h>

#include <algorithm>
#include <string>
#include <vector>

#include "engine.h"
#include "engine_api.h"

namespace fasterapi {
namespace {

const napi_type_tag kApiTag = {FA_ENGINE_API_TAG_LOWER, FA_ENGINE_API_TAG_UPPER};
const napi_type_tag kProtocolTag = {FA_PROTOCOL_TAG_LOWER, FA_PROTOCOL_TAG_UPPER};
const napi_type_tag kEngineTag = {FA_ENGINE_TAG_LOWER, FA_ENGINE_TAG_UPPER};
const napi_type_tag kUdpProtocolTag = {FA_UDP_PROTOCOL_TAG_LOWER, FA_UDP_PROTOCOL_TAG_UPPER};

struct EngineHandle;

// Per-environment state (one per main thread / worker that loads the addon).
struct AddonState {
  napi_env env = nullptr;
  std::vector<EngineHandle*> engines;
  napi_async_cleanup_hook_handle cleanup = nullptr;
  int undisposed = 0;        // engines still closing handles during teardown
  bool tearing_down = false;
  bool finalized = false;    // napi dropped the instance data
  void maybe_free();
  void engine_disposed();
};

struct EngineHandle final : EngineObserver {
  AddonState* state;
  Engine* engine;
  napi_ref self = nullptr;  // weak while idle, strong while listening or connected
  napi_async_context async = nullptr;
  std::vector<napi_ref> close_callbacks;
  bool js_released = false;
  bool disposed = false;

  explicit EngineHandle(AddonState* s) : state(s), engine(nullptr) {}

  void on_active_changed(bool active) override {
    if (state->tearing_down || self == nullptr) return;
    uint32_t count = 0;
    // Like a net.Server: a listening engine stays alive even if JS forgets it.
    if (active) {
      napi_reference_ref(state->env, self, &count);
    } else {
      napi_reference_unref(state->env, self, &count);
    }
  }

  void on_close_done() override {
    if (state->tearing_down) return;
    napi_env env = state->env;
    std::vector<napi_ref> callbacks;
    callbacks.swap(close_callbacks);
    napi_handle_scope scope;
    napi_open_handle_scope(env, &scope);
    for (napi_ref ref : callbacks) {
      napi_value fn, recv, result;
      napi_get_reference_value(env, ref, &fn);
      napi_delete_reference(env, ref);
      napi_get_global(env, &recv);  // make_callback wants an object receiver
      // make_callback (not call_function) so microtasks run: the JS side resolves a promise.
      if (napi_make_callback(env, async, recv, fn, 0, nullptr, &result) ==
          napi_pending_exception) {
        napi_value error;
        napi_get_and_clear_last_exception(env, &error);
        napi_fatal_exception(env, error);
      }
    }
    napi_close_handle_scope(env, scope);
  }

  void on_disposed() override {
    disposed = true;
    delete engine;
    engine = nullptr;
    AddonState* s = state;
    if (js_released) destroy();
    s->engine_disposed();
  }

  // Called when the JS object is gone; frees once the engine's handles are closed too.
  void release_js() {
    js_released = true;
    if (disposed) {
      AddonState* s = state;
      destroy();
      s->maybe_free();
      return;
    }
    if (!state->tearing_down) engine->teardown();
  }

  void drop_napi_refs() {
    napi_env env = state->env;
    for (napi_ref ref : close_callbacks) napi_delete_reference(env, ref);
    close_callbacks.clear();
    if (self != nullptr) napi_delete_reference(env, self);
    self = nullptr;
    if (async != nullptr) napi_async_destroy(env, async);
    async = nullptr;
  }

  void destroy() {
    if (!state->tearing_down) drop_napi_refs();
    auto& list = state->engines;
    list.erase(std::remove(list.begin(), list.end(), this), list.end());
    delete this;
  }
};

void AddonState::maybe_free() {
  if (finalized && engines.empty()) delete this;
}

void AddonState::engine_disposed() {
  if (!tearing_down) return;
  if (--undisposed == 0 && cleanup != nullptr) {
    napi_async_cleanup_hook_handle h = cleanup;
    cleanup = nullptr;
    napi_remove_async_cleanup_hook(h);
  }
  maybe_free();
}

void on_env_teardown(napi_async_cleanup_hook_handle handle, void* arg) {
  auto* state = static_cast<AddonState*>(arg);
  // References must go while the env still exists; after this no engine calls into napi.
  for (EngineHandle* h : state->engines) h->drop_napi_refs();
  state->tearing_down = true;
  state->cleanup = handle;
  std::vector<EngineHandle*> live;
  for (EngineHandle* h : state->engines) {
    if (!h->disposed) live.push_back(h);
  }
  state->undisposed = static_cast<int>(live.size());
  if (live.empty()) {
    state->cleanup = nullptr;
    napi_remove_async_cleanup_hook(handle);
    return;
  }
  // The loop keeps turning until the last engine reports its handles closed.
  for (EngineHandle* h : live) h->engine->teardown();
}

// ---- argument helpers -------------------------------------------------------------------

napi_value throw_error(napi_env env, const char* code, const std::string& message) {
  napi_throw_error(env, code, message.c_str());
  return nullptr;
}

bool get_string(napi_env env, napi_value v, std::string* out) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, nullptr, 0, &len) != napi_ok) return false;
  out->resize(len);
  size_t copied = 0;
  napi_get_value_string_utf8(env, v, out->data(), len + 1, &copied);
  return true;
}

bool get_bytes(napi_env env, napi_value v, std::string* out) {
  bool is_buffer = false;
  napi_is_buffer(env, v, &is_buffer);
  if (is_buffer) {
    void* data = nullptr;
    size_t len = 0;
    napi_get_buffer_info(env, v, &data, &len);
    out->assign(static_cast<const char*>(data), len);
    return true;
  }
  return get_string(env, v, out);
}

bool get_named_bytes(napi_env env, napi_value obj, const char* name, std::string* out) {
  napi_value v;
  if (napi_get_named_property(env, obj, name, &v) != napi_ok) return false;
  return get_bytes(env, v, out);
}

bool is_nullish(napi_env env, napi_value v) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  return t == napi_undefined || t == napi_null;
}

// tls.alpn (optional): ALPN ids in preference order, as one ALPN wire list. False with a JS error.
bool alpn_preference(napi_env env, napi_value tls, std::string* wire) {
  napi_value list;
  bool is_array = false;
  if (napi_get_named_property(env, tls, "alpn", &list) != napi_ok || is_nullish(env, list)) return true;
  napi_is_array(env, list, &is_array);
  uint32_t n = 0;
  if (is_array) napi_get_array_length(env, list, &n);
  for (uint32_t i = 0; i < n; i++) {
    napi_value entry;
    std::string id;
    napi_get_element(env, list, i, &entry);
    if (!get_string(env, entry, &id) || id.empty() || id.size() > 255) {
      is_array = false;
      break;
    }
    wire->push_back(static_cast<char>(id.size()));
    wire->append(id);
  }
  if (!is_array) throw_error(env, "ERR_INVALID_ARG_TYPE", "alpn must be an array of protocol ids (1-255 bytes each)");
  return is_array;
}

// Returns the protocol behind a type-tagged external, or null (with a JS error thrown).
fa_protocol* get_protocol(napi_env env, napi_value v) {
  bool tagged = false;
  if (napi_check_object_type_tag(env, v, &kProtocolTag, &tagged) != napi_ok || !tagged) {
    napi_value pending;
    bool has = false;
    napi_is_exception_pending(env, &has);
    if (has) napi_get_and_clear_last_exception(env, &pending);
    throw_error(env, "ERR_FASTERAPI_PROTOCOL",
                "expected a protocol module handle created by a FasterAPI protocol addon");
    return nullptr;
  }
  void* ptr = nullptr;
  napi_get_value_external(env, v, &ptr);
  return static_cast<fa_protocol*>(ptr);
}

// The live engine behind `this`, its arguments in argv (at least `need` of them, else a
// TypeError with `usage`), or null with a JS error thrown.
template <size_t N = 1>
EngineHandle* unwrap(napi_env env, napi_callback_info info, napi_value (*argv)[N] = nullptr, size_t need = 0,
                     const char* usage = nullptr) {
  napi_value self;
  size_t argc = argv != nullptr ? N : 0;
  napi_get_cb_info(env, info, &argc, argv != nullptr ? *argv : nullptr, &self, nullptr);
  EngineHandle* h = nullptr;
  if (napi_unwrap(env, self, reinterpret_cast<void**>(&h)) != napi_ok || h == nullptr ||
      h->engine == nullptr) {
    throw_error(env, "ERR_FASTERAPI_ENGINE", "not a live Engine");
    return nullptr;
  }
  if (argc < need) {
    throw_error(env, "ERR_INVALID_ARG_TYPE", usage);
    return nullptr;
  }
  return h;
}

// ---- Engine class -------------------------------------------------------------------------

void finalize_engine(napi_env /*env*/, void* data, void* /*hint*/) {
  static_cast<EngineHandle*>(data)->release_js();
}

napi_value engine_new(napi_env env, napi_callback_info info) {
  napi_value self;
  napi_get_cb_info(env, info, nullptr, nullptr, &self, nullptr);
  AddonState* state = nullptr;
  napi_get_instance_data(env, reinterpret_cast<void**>(&state));
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
    return throw_error(env, "ERR_FASTERAPI_ENGINE", "no libuv loop for this environment");
  }
  auto* h = new EngineHandle(state);
  h->engine = new Engine(loop, h);
  state->engines.push_back(h);
  napi_wrap(env, self, h, finalize_engine, nullptr, &h->self);
  napi_value name;
  napi_create_string_utf8(env, "fasterapi.engine.close", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, nullptr, name, &h->async);
  return self;
}

// listen(host, port, reusePort, tls | null, protocol | null) -> port
napi_value engine_listen(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  EngineHandle* h = unwrap(env, info, &argv, 5, "listen() needs 5 arguments");
  if (h == nullptr) return nullptr;
  ListenOptions opts;
  if (!get_string(env, argv[0], &opts.host)) {
    return throw_error(env, "ERR_INVALID_ARG_TYPE", "host must be a string");
  }
  int32_t port = 0;
  if (napi_get_value_int32(env, argv[1], &port) != napi_ok) {
    return throw_error(env, "ERR_INVALID_ARG_TYPE", "port must be a number");
  }
  opts.port = port;
  napi_get_value_bool(env, argv[2], &opts.reuse_port);

  std::unique_ptr<TlsContext> tls;
  if (!is_nullish(env, argv[3])) {
    PemPair main;
    if (!get_named_bytes(env, argv[3], "key", &main.key) ||
        !get_named_bytes(env, argv[3], "cert", &main.cert)) {
      return throw_error(env, "ERR_INVALID_ARG_TYPE", "tls.key and tls.cert must be PEM");
    }
    std::vector<SniEntry> sni;
    napi_value list;
    bool is_array = false;
    if (napi_get_named_property(env, argv[3], "sni", &list) == napi_ok &&
        napi_is_array(env, list, &is_array) == napi_ok && is_array) {
      uint32_t n = 0;
      napi_get_array_length(env, list, &n);
      for (uint32_t i = 0; i < n; i++) {
        napi_value entry, name, key, cert;
        napi_get_element(env, list, i, &entry);
        napi_get_element(env, entry, 0, &name);
        napi_get_element(env, entry, 1, &key);
        napi_get_element(env, entry, 2, &cert);
        SniEntry e;
        if (!get_string(env, name, &e.name) || !get_bytes(env, key, &e.pem.key) ||
            !get_bytes(env, cert, &e.pem.cert)) {
          return throw_error(env, "ERR_INVALID_ARG_TYPE", "tls.sni entries need name, key, cert");
        }
        sni.push_back(std::move(e));
      }
    }
    std::string preference;
    if (!alpn_preference(env, argv[3], &preference)) return nullptr;
    std::string error;
    tls = TlsContext::create(main, sni, h->engine->alpn_wire(), std::move(preference), &error);
    if (!tls) return throw_error(env, "ERR_FASTERAPI_TLS", error);
  }

  fa_protocol* proto = nullptr;
  if (!is_nullish(env, argv[4])) {
    proto = get_protocol(env, argv[4]);
    if (proto == nullptr) return nullptr;
  }
  std::string error;
  int bound = h->engine->listen(opts, proto, std::move(tls), &error);
  if (bound < 0) return throw_error(env, "ERR_FASTERAPI_LISTEN", error);
  napi_value result;
  napi_create_int32(env, bound, &result);
  return result;
}

napi_value engine_register_protocol(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  EngineHandle* h = unwrap(env, info, &argv, 1, "protocol handle required");
  if (h == nullptr) return nullptr;
  fa_protocol* proto = get_protocol(env, argv[0]);
  if (proto == nullptr) return nullptr;
  std::string error;
  if (h->engine->register_protocol(proto, &error) != 0) {
    return throw_error(env, "ERR_FASTERAPI_PROTOCOL", error);
  }
  return nullptr;
}

// adopt(fd, protocol) -> connection id: the engine serves a duplicate of the connected socket `fd`.
napi_value engine_adopt(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  EngineHandle* h = unwrap(env, info, &argv, 2, "adopt(fd, protocol)");
  if (h == nullptr) return nullptr;
  int32_t fd = -1;
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    return throw_error(env, "ERR_INVALID_ARG_TYPE", "adopt(fd, protocol): fd must be a descriptor");
  }
  fa_protocol* proto = get_protocol(env, argv[1]);
  if (proto == nullptr) return nullptr;
  std::string error;
  const uint64_t id = h->engine->adopt(fd, proto, &error);
  if (id == 0) return throw_error(env, "ERR_FASTERAPI_ADOPT", error);
  napi_value result;
  napi_create_double(env, static_cast<double>(id), &result);
  return result;
}

// bindUdp({ host, port, reusePort, ipv6Only, maxDatagramSize, gso, receiveBufferSize,
// sendBufferSize }, udpProtocol) -> port. engine.ts checks and fills in every field.
napi_value engine_bind_udp(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  EngineHandle* h = unwrap(env, info, &argv, 2, "bindUdp(options, udpProtocol)");
  if (h == nullptr) return nullptr;
  bool tagged = false;
  void* proto = nullptr;
  if (napi_check_object_type_tag(env, argv[1], &kUdpProtocolTag, &tagged) != napi_ok ||
      !tagged || napi_get_value_external(env, argv[1], &proto) != napi_ok) {
    return throw_error(env, "ERR_FASTERAPI_PROTOCOL",
                       "expected a UDP protocol module handle created by a FasterAPI UDP addon");
  }
  UdpBindOptions opts;
  napi_value v;
  int32_t number = 0;
  uint32_t size = 0;
  if (napi_get_named_property(env, argv[0], "host", &v) != napi_ok || !get_string(env, v, &opts.host)) {
    return throw_error(env, "ERR_INVALID_ARG_TYPE", "host must be a string");
  }
  if (napi_get_named_property(env, argv[0], "port", &v) == napi_ok &&
      napi_get_value_int32(env, v, &number) == napi_ok) {
    opts.port = number;
  }
  if (napi_get_named_property(env, argv[0], "reusePort", &v) == napi_ok) napi_get_value_bool(env, v, &opts.reuse_port);
  if (napi_get_named_property(env, argv[0], "ipv6Only", &v) == napi_ok) napi_get_value_bool(env, v, &opts.ipv6_only);
  if (napi_get_named_property(env, argv[0], "gso", &v) == napi_ok) napi_get_value_bool(env, v, &opts.gso);
  if (napi_get_named_property(env, argv[0], "maxDatagramSize", &v) == napi_ok &&
      napi_get_value_uint32(env, v, &size) == napi_ok) {
    opts.max_datagram = size;
  }
  if (napi_get_named_property(env, argv[0], "receiveBufferSize", &v) == napi_ok) {
    napi_get_value_int32(env, v, &opts.receive_buffer);
  }
  if (napi_get_named_property(env, argv[0], "sendBufferSize", &v) == napi_ok) {
    napi_get_value_int32(env, v, &opts.send_buffer);
  }
  std::string error;
  const int bound = h->engine->udp()->bind(opts, static_cast<fa_udp_protocol*>(proto), &error);
  if (bound < 0) return throw_error(env, "ERR_FASTERAPI_BIND_UDP", error);
  napi_value result;
  napi_create_int32(env, bound, &result);
  return result;
}

// close(graceMs, callback)
napi_value engine_close(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  EngineHandle* h = unwrap(env, info, &argv, 2, "close(graceMs, callback)");
  if (h == nullptr) return nullptr;
  uint32_t grace = 0;
  napi_valuetype t = napi_undefined;
  napi_typeof(env, argv[1], &t);
  if (napi_get_value_uint32(env, argv[0], &grace) != napi_ok || t != napi_function) {
    return throw_error(env, "ERR_INVALID_ARG_TYPE", "close(graceMs, callback)");
  }
  napi_ref cb;
  napi_create_reference(env, argv[1], 1, &cb);
  h->close_callbacks.push_back(cb);
  h->engine->close(grace);
  return nullptr;
}

// handle() -> the fa_engine* as a type-tagged external, for modules that arm timers or turn
// hooks outside connections (valid while this Engine lives).
napi_value engine_handle(napi_env env, napi_callback_info info) {
  EngineHandle* h = unwrap(env, info);
  if (h == nullptr) return nullptr;
  napi_value ext;
  napi_create_external(env, h->engine->as_fa(), nullptr, nullptr, &ext);
  napi_type_tag_object(env, ext, &kEngineTag);
  return ext;
}

void set_number(napi_env env, napi_value obj, const char* name, double value) {
  napi_value v;
  napi_create_double(env, value, &v);
  napi_set_named_property(env, obj, name, v);
}

napi_value engine_stats(napi_env env, napi_callback_info info) {
  EngineHandle* h = unwrap(env, info);
  if (h == nullptr) return nullptr;
  const EngineStats& s = h->engine->stats();
  napi_value obj;
  napi_create_object(env, &obj);
  set_number(env, obj, "connections", static_cast<double>(s.connections));
  set_number(env, obj, "active", static_cast<double>(s.active));
  set_number(env, obj, "bytesIn", static_cast<double>(s.bytes_in));
  set_number(env, obj, "bytesOut", static_cast<double>(s.bytes_out));
  set_number(env, obj, "tlsHandshakes", static_cast<double>(s.tls_handshakes));
  set_number(env, obj, "tlsErrors", static_cast<double>(s.tls_errors));
  set_number(env, obj, "listeners", static_cast<double>(h->engine->listener_count()));
  const UdpEndpoints* udp = h->engine->udp();
  set_number(env, obj, "udpEndpoints", static_cast<double>(udp->count()));
  set_number(env, obj, "udpDatagramsIn", static_cast<double>(udp->stats().datagrams_in));
  set_number(env, obj, "udpDatagramsOut", static_cast<double>(udp->stats().datagrams_out));
  set_number(env, obj, "udpBytesIn", static_cast<double>(udp->stats().bytes_in));
  set_number(env, obj, "udpBytesOut", static_cast<double>(udp->stats().bytes_out));
  set_number(env, obj, "udpTruncated", static_cast<double>(udp->stats().truncated));
  set_number(env, obj, "udpSendErrors", static_cast<double>(udp->stats().send_errors));
  set_number(env, obj, "udpSendDropped", static_cast<double>(udp->stats().send_dropped));
  return obj;
}

napi_value engine_api_external(napi_env env, napi_callback_info /*info*/) {
  napi_value ext;
  napi_create_external(env, const_cast<fa_engine_api*>(engine_api()), nullptr, nullptr, &ext);
  napi_type_tag_object(env, ext, &kApiTag);
  return ext;
}

void finalize_state(napi_env /*env*/, void* data, void* /*hint*/) {
  auto* state = static_cast<AddonState*>(data);
  state->finalized = true;
  state->maybe_free();
}

}  // namespace
}  // namespace fasterapi

using namespace fasterapi;

NAPI_MODULE_INIT() {
  auto* state = new AddonState();
  state->env = env;
  napi_set_instance_data(env, state, finalize_state, nullptr);
  napi_add_async_cleanup_hook(env, on_env_teardown, state, nullptr);

  napi_property_descriptor methods[] = {
      {"listen", nullptr, engine_listen, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"registerProtocol", nullptr, engine_register_protocol, nullptr, nullptr, nullptr,
       napi_default, nullptr},
      {"adopt", nullptr, engine_adopt, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"bindUdp", nullptr, engine_bind_udp, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"close", nullptr, engine_close, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"stats", nullptr, engine_stats, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"handle", nullptr, engine_handle, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_value ctor;
  napi_define_class(env, "Engine", NAPI_AUTO_LENGTH, engine_new, nullptr,
                    sizeof methods / sizeof methods[0], methods, &ctor);
  napi_set_named_property(env, exports, "Engine", ctor);

  napi_value api_fn, version;
  napi_create_function(env, "engineApi", NAPI_AUTO_LENGTH, engine_api_external, nullptr, &api_fn);
  napi_set_named_property(env, exports, "engineApi", api_fn);
  napi_create_uint32(env, FA_ENGINE_ABI_VERSION, &version);
  napi_set_named_property(env, exports, "abiVersion", version);
  return exports;
}
