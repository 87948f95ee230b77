// For protocol addons that use V8's C++ API beside Node-API, where Node-API has no equivalent
// (backing stores V8 does not count, holding a Buffer's memory without copying it). V8's API is
// C++ and changes between Node majors, so such an addon checks at load time that it runs on the
// major it was built for (the loader then falls back to the JS path and logs why).
//
// Include it from exactly one source file per addon: it defines that addon's copy of a glibc flag.
#pragma once

#include <node_api.h>
#include <v8.h>

#include <cstring>
#include <string>

// node_version.h sets NAPI_VERSION to the runtime's own; keep the one this addon asked for.
#pragma push_macro("NAPI_VERSION")
#undef NAPI_VERSION
#include <node_version.h>
#pragma pop_macro("NAPI_VERSION")

// libstdc++ reads glibc 2.32's __libc_single_threaded to skip atomic reference counts in
// single-threaded processes, so the std::shared_ptr V8's API passes backing stores in would make
// the addon need glibc 2.32. This copy, always 0 ("threads may exist", true under V8 anyway),
// keeps it loadable on the older glibc its README states.
extern "C" {
__attribute__((visibility("hidden"))) char __libc_single_threaded = 0;
}

namespace fasterapi::v8_interop {

// Node-API values are V8 handles (Node's js_native_api_v8.h converts them the same way).
inline napi_value to_napi(v8::Local<v8::Value> value) { return reinterpret_cast<napi_value>(*value); }

inline v8::Local<v8::Value> from_napi(napi_value value) {
  v8::Local<v8::Value> local;
  static_assert(sizeof local == sizeof value);
  std::memcpy(static_cast<void*>(&local), &value, sizeof value);
  return local;
}

/** False, with an Error thrown, unless Node's major is the one `addon` was built against. */
inline bool require_node_major(napi_env env, const char* addon) {
  const napi_node_version* running = nullptr;
  if (napi_get_node_version(env, &running) != napi_ok) return false;
  if (running->major == NODE_MAJOR_VERSION) return true;
  const std::string message = std::string(addon) + " was built for Node " + std::to_string(NODE_MAJOR_VERSION) +
                              " (it uses V8's API), not Node " + std::to_string(running->major);
  napi_throw_error(env, "ERR_FASTERAPI_NODE_MAJOR", message.c_str());
  return false;
}

}  // namespace fasterapi::v8_interop
