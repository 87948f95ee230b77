/*
 * N-API helpers shared by protocol addons (header-only C++). Kept apart from engine_abi.h,
 * which stays plain C with no N-API types: include node_api.h (with your NAPI_VERSION) first.
 * They cover what every protocol addon's glue does the same way: check the engine's function
 * table (and engine handles) it was handed, hold its JS callbacks per module instance and call
 * them from engine callbacks, hand JS its fa_protocol with the module's methods, and export
 * the create function. The fa_protocol table itself comes from protocol_table.h.
 */
#ifndef FASTERAPI_NAPI_MODULE_H
#define FASTERAPI_NAPI_MODULE_H

#include <node_api.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "fasterapi/engine_abi.h"
#include "fasterapi/napi_args.h"
#include "fasterapi/protocol_table.h"

namespace fasterapi::napi {

/* A handle scope for the duration of a C++ block (engine callbacks that create JS values). */
class HandleScope {
 public:
  explicit HandleScope(napi_env env) : env_(env) { napi_open_handle_scope(env_, &scope_); }
  ~HandleScope() { napi_close_handle_scope(env_, scope_); }
  HandleScope(const HandleScope&) = delete;
  HandleScope& operator=(const HandleScope&) = delete;

 private:
  napi_env env_;
  napi_handle_scope scope_ = nullptr;
};

inline napi_value number(napi_env env, double value) {
  napi_value out;
  napi_create_double(env, value, &out);
  return out;
}

/* A latin1 JS string of NUL-terminated `text`. */
inline napi_value latin1_string(napi_env env, const char* text) {
  napi_value out;
  napi_create_string_latin1(env, text, NAPI_AUTO_LENGTH, &out);
  return out;
}

/* One field of a stats() answer. */
struct NamedNumber {
  const char* name;
  double value;
};

/* A plain object { name: value, ... } (a module's stats()). */
template <size_t N>
inline napi_value number_object(napi_env env, const NamedNumber (&fields)[N]) {
  napi_value out;
  napi_create_object(env, &out);
  for (const NamedNumber& f : fields) napi_set_named_property(env, out, f.name, number(env, f.value));
  return out;
}

struct Method {
  const char* name;
  napi_callback fn;
};

/* Sets each method on `target` as a function whose callback data is `data`; false on failure. */
template <size_t N>
inline bool define_methods(napi_env env, napi_value target, const Method (&methods)[N], void* data) {
  for (const Method& method : methods) {
    napi_value fn;
    if (napi_create_function(env, method.name, NAPI_AUTO_LENGTH, method.fn, data, &fn) != napi_ok ||
        napi_set_named_property(env, target, method.name, fn) != napi_ok) {
      return false;
    }
  }
  return true;
}

/* The pointer behind an external tagged {lower, upper}, or null with a TypeError thrown that
 * says `caller` expected `what`. */
inline void* tagged_external(napi_env env, napi_value value, uint64_t lower, uint64_t upper, const char* caller,
                             const char* what) {
  const napi_type_tag tag = {lower, upper};
  bool tagged = false;
  void* ptr = nullptr;
  if (value == nullptr || napi_check_object_type_tag(env, value, &tag, &tagged) != napi_ok || !tagged ||
      napi_get_value_external(env, value, &ptr) != napi_ok) {
    const std::string msg = std::string(caller) + ": expected " + what;
    napi_throw_type_error(env, nullptr, msg.c_str());
    return nullptr;
  }
  return ptr;
}

/* The engine's function table behind `value` (@fasterapi/native's engineApi()), or null with a
 * JS error thrown. `caller` names the JS function for the message. */
inline const fa_engine_api* engine_api_arg(napi_env env, napi_value value, const char* caller) {
  const auto* api = static_cast<const fa_engine_api*>(tagged_external(
      env, value, FA_ENGINE_API_TAG_LOWER, FA_ENGINE_API_TAG_UPPER, caller, "@fasterapi/native's engineApi() first"));
  if (api == nullptr) return nullptr;
  if (api->abi_version != FA_ENGINE_ABI_VERSION || api->size < sizeof(fa_engine_api)) {
    const std::string msg = std::string(caller) + ": @fasterapi/native speaks a different engine ABI version";
    napi_throw_error(env, nullptr, msg.c_str());
    return nullptr;
  }
  return api;
}

/* The fa_engine* behind `value` (an Engine's `handle`), or null with a TypeError thrown. */
inline fa_engine* engine_arg(napi_env env, napi_value value, const char* caller) {
  return static_cast<fa_engine*>(
      tagged_external(env, value, FA_ENGINE_TAG_LOWER, FA_ENGINE_TAG_UPPER, caller, "an Engine's handle"));
}

/* The arguments of a module's create call, whose first is engineApi(): fills argv and returns the
 * engine's table, or null with a JS error thrown (too few arguments: `usage` is the message). */
template <size_t N>
inline const fa_engine_api* create_call_args(napi_env env, napi_callback_info info, napi_value (&argv)[N],
                                             const char* caller, const char* usage) {
  size_t argc = N;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return nullptr;
  if (argc < N) {
    napi_throw_type_error(env, nullptr, usage);
    return nullptr;
  }
  return engine_api_arg(env, argv[0], caller);
}

/* A strong reference to the function callbacks[name], or null with a TypeError thrown. */
inline napi_ref callback_ref(napi_env env, napi_value callbacks, const char* name, const char* caller) {
  napi_value fn;
  napi_valuetype type = napi_undefined;
  if (napi_get_named_property(env, callbacks, name, &fn) == napi_ok) napi_typeof(env, fn, &type);
  if (type != napi_function) {
    const std::string msg = std::string(caller) + ": callbacks." + name + " must be a function";
    napi_throw_type_error(env, nullptr, msg.c_str());
    return nullptr;
  }
  napi_ref ref = nullptr;
  napi_create_reference(env, fn, 1, &ref);
  return ref;
}

/* The async context a module's callbacks run in (async_hooks see `name` as their resource type). */
inline napi_async_context async_context(napi_env env, const char* name) {
  napi_value resource, resource_name;
  napi_async_context context = nullptr;
  napi_create_object(env, &resource);
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resource_name);
  napi_async_init(env, resource, resource_name, &context);
  return context;
}

/* Calls a JS callback from an engine callback with a callback scope, so microtasks run before
 * control returns to C++. An exception becomes an uncaught exception, as in node:net. */
inline bool call_js(napi_env env, napi_async_context async, napi_ref fn_ref, size_t argc, napi_value* argv,
                    napi_value* result) {
  napi_value fn, recv;
  napi_get_reference_value(env, fn_ref, &fn);
  napi_get_global(env, &recv); /* make_callback needs an object receiver */
  if (napi_make_callback(env, async, recv, fn, argc, argv, result) == napi_ok) return true;
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
  return false;
}

/* The JS side of one module instance: its N callbacks (callbacks[names[i]]), the async context
 * they run in, and whether JS still holds the module (events stop once it let go). */
template <size_t N>
struct JsCallbacks {
  napi_env env = nullptr;
  napi_async_context async = nullptr;
  napi_ref refs[N] = {};
  bool alive = false;

  /* Takes every callback (all or none; a TypeError is pending on failure). */
  bool bind(napi_env e, napi_value callbacks, const char* const (&names)[N], const char* caller,
            const char* async_name) {
    env = e;
    for (size_t i = 0; i < N; i++) {
      refs[i] = callback_ref(env, callbacks, names[i], caller);
      if (refs[i] != nullptr) continue;
      for (size_t j = 0; j < i; j++) napi_delete_reference(env, refs[j]);
      return false;
    }
    async = async_context(env, async_name);
    alive = true;
    return true;
  }

  /* Calls callback `i` (see call_js); false when JS let go or the call threw. */
  bool call(size_t i, size_t argc, napi_value* argv, napi_value* result = nullptr) {
    return alive && call_js(env, async, refs[i], argc, argv, result);
  }

  /* JS let go of the module (its external's finalizer): no more calls. */
  void drop() {
    alive = false;
    for (napi_ref& ref : refs) napi_delete_reference(env, ref);
    napi_async_destroy(env, async);
  }
};

/* `proto` as the type-tagged external the engine's listen()/adopt() accept; `finalize(env,
 * data)` runs once JS no longer holds it. Returns null on failure. */
inline napi_value protocol_external(napi_env env, fa_protocol* proto, napi_finalize finalize, void* data) {
  napi_value external;
  const napi_type_tag tag = {FA_PROTOCOL_TAG_LOWER, FA_PROTOCOL_TAG_UPPER};
  if (napi_create_external(env, proto, nullptr, nullptr, &external) != napi_ok ||
      napi_type_tag_object(env, external, &tag) != napi_ok ||
      napi_add_finalizer(env, external, data, finalize, nullptr, nullptr) != napi_ok) {
    return nullptr;
  }
  return external;
}

/* What a module's create call returns: { protocol, ...methods } with `proto` as the type-tagged
 * external (`finalize(env, data)` once JS let go of it) and each method bound to `data`. */
template <size_t N>
inline napi_value module_object(napi_env env, fa_protocol* proto, napi_finalize finalize, void* data,
                                const Method (&methods)[N]) {
  napi_value result;
  napi_value protocol = protocol_external(env, proto, finalize, data);
  if (protocol == nullptr || napi_create_object(env, &result) != napi_ok ||
      napi_set_named_property(env, result, "protocol", protocol) != napi_ok ||
      !define_methods(env, result, methods, data)) {
    return nullptr;
  }
  return result;
}

/* The remoteAddress(handle) method: the peer's address as a string, "" once the connection is
 * gone. `Module::lookup(handle)` gives the connection, whose `remote` is a C string. */
template <typename Module>
napi_value remote_address_method(napi_env env, napi_callback_info info) {
  CallArgs<Module, 1> a;
  if (!get_args(env, info, a)) return nullptr;
  const auto* conn = a.m->lookup(arg_double(env, a.argv[0]));
  return latin1_string(env, conn != nullptr ? conn->remote : "");
}

/* new_module and finalize_module serve a module kept the usual way: `Module` has `void* js` (its
 * JsState) and `proto`, its namespace declares init_protocol(Module*) and module_release(Module*),
 * and `JsState` has `js` (JsCallbacks or JsModule). */

/* The protocol external's finalizer: JS let go of the module, so no more events go to JS, and
 * JS's reference to it is released. */
template <typename Module, typename JsState>
void finalize_module(napi_env, void* data, void*) {
  Module* m = static_cast<Module*>(data);
  static_cast<JsState*>(m->js)->js.drop();
  module_release(m);
}

/* The rest of a createProtocol call once its arguments are read: binds callbacks[names] (all or
 * none: null with a TypeError pending), builds Module(api, options) and returns its module_object. */
template <typename Module, typename JsState, typename Options, size_t N, size_t M>
napi_value new_module(napi_env env, const fa_engine_api* api, const Options& options, napi_value callbacks,
                      const char* const (&names)[N], const char* async_name, const Method (&methods)[M]) {
  auto* js = new JsState();
  if (!js->js.bind(env, callbacks, names, "createProtocol", async_name)) {
    delete js;
    return nullptr;
  }
  auto* m = new Module(api, options);
  m->js = js;
  init_protocol(m);
  return module_object(env, &m->proto, finalize_module<Module, JsState>, m, methods);
}

/* Sets exports[name] = fn (an addon's NAPI_MODULE_INIT body); returns exports. */
inline napi_value export_function(napi_env env, napi_value exports, const char* name, napi_callback fn) {
  napi_value value;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, nullptr, &value) == napi_ok) {
    napi_set_named_property(env, exports, name, value);
  }
  return exports;
}

/* An append-only ArrayBuffer JS keeps views of: bytes handed out are never rewritten, and a full
 * slab is replaced (JS gets the new one), never reused, so views stay valid as long as JS holds
 * them and no ArrayBuffer is created per delivery. */
struct Slab {
  napi_ref ref = nullptr;
  uint8_t* data = nullptr;
  size_t size = 0;
  size_t used = 0;

  size_t available() const { return ref == nullptr ? 0 : size - used; }

  /* Makes a fresh slab of max(need, min_size) bytes current; returns it for JS, or nullptr. */
  napi_value replace(napi_env env, size_t need, size_t min_size) {
    napi_value buffer;
    void* bytes = nullptr;
    const size_t want = need > min_size ? need : min_size;
    if (napi_create_arraybuffer(env, want, &bytes, &buffer) != napi_ok) return nullptr;
    release(env);
    napi_create_reference(env, buffer, 1, &ref);
    data = static_cast<uint8_t*>(bytes);
    size = want;
    used = 0;
    return buffer;
  }

  void release(napi_env env) {
    if (ref != nullptr) napi_delete_reference(env, ref);
    ref = nullptr;
  }
};

/* The JS side of a module that hands bytes to JS: its callbacks and the slab JS gets them in. */
template <size_t N>
struct JsModule : JsCallbacks<N> {
  Slab slab;

  /* JS let go of the module (its external's finalizer): no more calls, the slab is JS's alone. */
  void drop() {
    JsCallbacks<N>::drop();
    slab.release(this->env);
  }
};

}  // namespace fasterapi::napi

#endif
