/*
 * Reading the JS arguments of a protocol addon's methods (header-only C++), shared by the
 * addons' N-API glue: the call's arguments and bound module, numbers, flags, strings and
 * integer options. Lenient by design where the TypeScript side already checked the input (a
 * wrong type reads as the stated fallback); the readers that check say so. Include node_api.h
 * (with your NAPI_VERSION) first.
 */
#ifndef FASTERAPI_NAPI_ARGS_H
#define FASTERAPI_NAPI_ARGS_H

#include <node_api.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace fasterapi::napi {

/* One method call: up to N arguments (missing ones are undefined, as napi_get_cb_info fills
 * them) and the module the method was bound to (its callback data). */
template <typename Module, size_t N>
struct CallArgs {
  Module* m = nullptr;
  napi_value argv[N];
  size_t argc = N;
};

template <typename Module, size_t N>
inline bool get_args(napi_env env, napi_callback_info info, CallArgs<Module, N>& a) {
  void* data = nullptr;
  if (napi_get_cb_info(env, info, &a.argc, a.argv, nullptr, &data) != napi_ok) return false;
  a.m = static_cast<Module*>(data);
  return true;
}

/* A number argument; -1 when it is not one (no handle or id is negative). */
inline double arg_double(napi_env env, napi_value v) {
  double d = -1;
  napi_get_value_double(env, v, &d);
  return d;
}

/* A uint32 argument; 0 when it is not a number. */
inline uint32_t arg_u32(napi_env env, napi_value v) {
  uint32_t u = 0;
  napi_get_value_uint32(env, v, &u);
  return u;
}

/* A boolean argument; false when it is not one. */
inline bool arg_bool(napi_env env, napi_value v) {
  bool b = false;
  napi_get_value_bool(env, v, &b);
  return b;
}

/* A byte limit argument as an integer, clamped to 0..9e15 (the largest a double holds exactly, about). */
inline uint64_t arg_limit(napi_env env, napi_value v) {
  const double limit = arg_double(env, v);
  return limit < 0 ? 0 : limit > 9.0e15 ? 9'000'000'000'000'000ull : static_cast<uint64_t>(limit);
}

inline napi_value boolean(napi_env env, bool b) {
  napi_value out;
  napi_get_boolean(env, b, &out);
  return out;
}

/* A string argument as latin1 (header text) or UTF-8 bytes into `out`; false when it is no string. */
inline bool string_arg(napi_env env, napi_value v, std::string& out, bool utf8) {
  size_t len = 0;
  const auto get = utf8 ? napi_get_value_string_utf8 : napi_get_value_string_latin1;
  if (get(env, v, nullptr, 0, &len) != napi_ok) return false;
  out.resize(len);
  return get(env, v, out.data(), len + 1, &len) == napi_ok;
}

/* A Buffer argument's bytes; false (nothing thrown) when it is no Buffer. */
inline bool buffer_arg(napi_env env, napi_value v, const char** data, size_t* len) {
  bool is_buffer = false;
  void* bytes = nullptr;
  napi_is_buffer(env, v, &is_buffer);
  if (!is_buffer || napi_get_buffer_info(env, v, &bytes, len) != napi_ok) return false;
  *data = static_cast<const char*>(bytes);
  return true;
}

/* A response's optional contentType argument: `*present` says whether it is a string; false with
 * a TypeError thrown when it is neither a string nor undefined. */
inline bool content_type_arg(napi_env env, napi_value v, bool* present) {
  napi_valuetype type = napi_undefined;
  napi_typeof(env, v, &type);
  *present = type == napi_string;
  if (type == napi_string || type == napi_undefined) return true;
  napi_throw_type_error(env, nullptr, "contentType must be a string or undefined");
  return false;
}

/* The length of an optional flat [name, value, ...] headers argument (0 when undefined); false
 * with a TypeError thrown for anything but an array. */
inline bool header_pairs_length(napi_env env, napi_value headers, uint32_t* n) {
  *n = 0;
  napi_valuetype type = napi_undefined;
  napi_typeof(env, headers, &type);
  if (type == napi_undefined) return true;
  bool is_array = false;
  napi_is_array(env, headers, &is_array);
  if (!is_array) {
    napi_throw_type_error(env, nullptr, "headers must be a flat [name, value, ...] array");
    return false;
  }
  napi_get_array_length(env, headers, n);
  return true;
}

/* options[name] of a createProtocol call as a uint32; false with a TypeError thrown when it is
 * missing or not one (the TypeScript packages resolve every option with its default first). */
inline bool option_u32(napi_env env, napi_value options, const char* name, uint32_t* out) {
  napi_value v;
  napi_valuetype t = napi_undefined;
  double d = -1;
  if (napi_get_named_property(env, options, name, &v) == napi_ok) napi_typeof(env, v, &t);
  if (t == napi_number) napi_get_value_double(env, v, &d);
  if (!(d >= 0 && d <= 4294967295.0 && d == static_cast<double>(static_cast<uint32_t>(d)))) {
    const std::string msg = std::string("createProtocol: options.") + name + " must be a non-negative integer";
    napi_throw_type_error(env, nullptr, msg.c_str());
    return false;
  }
  *out = static_cast<uint32_t>(d);
  return true;
}

}  // namespace fasterapi::napi

#endif
