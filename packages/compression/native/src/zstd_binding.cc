// N-API binding to the system libzstd for @fasterapi/compression: one-shot compression with a
// ZSTD_CCtx reused per level (on the calling thread, or on the thread pool for large bodies), a
// streaming Compressor (ZSTD_compressStream2 with flush/end) and a streaming Decompressor that
// stops once a caller-given output budget is crossed.
// It does not choose levels, negotiate encodings or know about HTTP; the JS side does that.

#include <node_api.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

// Levels 20-22 need windows above 8 MiB, which HTTP zstd decoders may refuse (RFC 9659 s. 3).
constexpr int kMaxLevel = 19;
constexpr int kMinLevel = 1;
// RFC 9659: decoders must accept windows up to 8 MiB; refusing larger ones bounds decoder memory.
constexpr int kMaxDecodeWindowLog = 23;

// Per-environment state (napi instance data), so worker threads each get their own contexts.
struct AddonState {
  ZSTD_CCtx* cctx_by_level[kMaxLevel + 1] = {};
  std::vector<uint8_t> scratch;
};

void FreeState(napi_env, void* data, void*) {
  auto* state = static_cast<AddonState*>(data);
  for (ZSTD_CCtx* cctx : state->cctx_by_level) ZSTD_freeCCtx(cctx);
  delete state;
}

AddonState* GetState(napi_env env) {
  void* data = nullptr;
  napi_get_instance_data(env, &data);
  return static_cast<AddonState*>(data);
}

bool ThrowIf(napi_env env, bool failed, const char* message) {
  if (failed) napi_throw_error(env, "ERR_ZSTD", message);
  return failed;
}

bool ThrowIfZstd(napi_env env, size_t code) {
  if (!ZSTD_isError(code)) return false;
  napi_throw_error(env, "ERR_ZSTD", ZSTD_getErrorName(code));
  return true;
}

// Reads a Uint8Array (Buffer included) without copying.
bool GetBytes(napi_env env, napi_value value, const uint8_t** data, size_t* length) {
  bool is_typed = false;
  napi_is_typedarray(env, value, &is_typed);
  if (ThrowIf(env, !is_typed, "expected a Buffer or Uint8Array")) return false;
  napi_typedarray_type type;
  void* raw = nullptr;
  napi_value array_buffer;
  size_t offset = 0;
  napi_get_typedarray_info(env, value, &type, length, &raw, &array_buffer, &offset);
  if (ThrowIf(env, type != napi_uint8_array, "expected a Buffer or Uint8Array")) return false;
  *data = static_cast<const uint8_t*>(raw);
  return true;
}

bool GetInt(napi_env env, napi_value value, int64_t* out) {
  napi_valuetype type;
  napi_typeof(env, value, &type);
  if (ThrowIf(env, type != napi_number, "expected a number")) return false;
  napi_get_value_int64(env, value, out);
  return true;
}

bool GetLevel(napi_env env, napi_value value, int* level) {
  int64_t raw = 0;
  if (!GetInt(env, value, &raw)) return false;
  if (ThrowIf(env, raw < kMinLevel || raw > kMaxLevel, "zstd level must be an integer from 1 to 19")) return false;
  *level = static_cast<int>(raw);
  return true;
}

napi_value CopyToBuffer(napi_env env, const uint8_t* data, size_t length) {
  napi_value result = nullptr;
  void* copy = nullptr;
  if (napi_create_buffer_copy(env, length, data, &copy, &result) != napi_ok) {
    napi_throw_error(env, "ERR_ZSTD", "could not allocate the output buffer");
    return nullptr;
  }
  return result;
}

// compress(input, level): one frame, content size recorded, context kept for the next call.
napi_value Compress(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (ThrowIf(env, argc < 2, "compress(input, level)")) return nullptr;
  const uint8_t* input = nullptr;
  size_t length = 0;
  int level = 0;
  if (!GetBytes(env, argv[0], &input, &length) || !GetLevel(env, argv[1], &level)) return nullptr;

  AddonState* state = GetState(env);
  ZSTD_CCtx*& cctx = state->cctx_by_level[level];
  if (cctx == nullptr) {
    cctx = ZSTD_createCCtx();
    if (ThrowIf(env, cctx == nullptr, "could not create a zstd context")) return nullptr;
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
  }
  size_t bound = ZSTD_compressBound(length);
  if (state->scratch.size() < bound) state->scratch.resize(bound);
  size_t written = ZSTD_compress2(cctx, state->scratch.data(), bound, input, length);
  if (ThrowIfZstd(env, written)) {
    ZSTD_CCtx_reset(cctx, ZSTD_reset_session_only);
    return nullptr;
  }
  return CopyToBuffer(env, state->scratch.data(), written);
}

// ---- streaming compressor ------------------------------------------------------------------

struct Compressor {
  ZSTD_CCtx* cctx = nullptr;
  std::vector<uint8_t> out;
};

void FreeCompressor(napi_env, void* data, void*) {
  auto* self = static_cast<Compressor*>(data);
  ZSTD_freeCCtx(self->cctx);
  delete self;
}

Compressor* UnwrapCompressor(napi_env env, napi_callback_info info, size_t* argc, napi_value* argv) {
  napi_value self_value;
  napi_get_cb_info(env, info, argc, argv, &self_value, nullptr);
  void* data = nullptr;
  if (napi_unwrap(env, self_value, &data) != napi_ok || data == nullptr) {
    napi_throw_type_error(env, "ERR_ZSTD", "not a Compressor");
    return nullptr;
  }
  return static_cast<Compressor*>(data);
}

napi_value CompressorNew(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_value self_value;
  napi_get_cb_info(env, info, &argc, argv, &self_value, nullptr);
  int level = 0;
  if (ThrowIf(env, argc < 1, "new Compressor(level)") || !GetLevel(env, argv[0], &level)) return nullptr;
  auto* self = new Compressor();
  self->cctx = ZSTD_createCCtx();
  if (self->cctx == nullptr) {
    delete self;
    napi_throw_error(env, "ERR_ZSTD", "could not create a zstd context");
    return nullptr;
  }
  ZSTD_CCtx_setParameter(self->cctx, ZSTD_c_compressionLevel, level);
  napi_wrap(env, self_value, self, FreeCompressor, nullptr, nullptr);
  return self_value;
}

// push(input, mode): mode 0 = buffer what it can, 1 = flush a complete block, 2 = end the frame.
// Returns every byte the encoder produced for this call (possibly none).
napi_value CompressorPush(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  Compressor* self = UnwrapCompressor(env, info, &argc, argv);
  if (self == nullptr) return nullptr;
  if (ThrowIf(env, argc < 2, "push(input, mode)")) return nullptr;
  const uint8_t* data = nullptr;
  size_t length = 0;
  int64_t mode_raw = 0;
  if (!GetBytes(env, argv[0], &data, &length) || !GetInt(env, argv[1], &mode_raw)) return nullptr;
  if (ThrowIf(env, mode_raw < 0 || mode_raw > 2, "mode must be 0, 1 or 2")) return nullptr;
  const auto mode = static_cast<ZSTD_EndDirective>(mode_raw);

  const size_t step = ZSTD_CStreamOutSize();
  self->out.clear();
  ZSTD_inBuffer input = {data, length, 0};
  while (true) {
    size_t used = self->out.size();
    self->out.resize(used + step);
    ZSTD_outBuffer output = {self->out.data() + used, step, 0};
    size_t remaining = ZSTD_compressStream2(self->cctx, &output, &input, mode);
    self->out.resize(used + output.pos);
    if (ThrowIfZstd(env, remaining)) return nullptr;
    const bool input_done = input.pos == input.size;
    if (mode == ZSTD_e_continue ? input_done : (input_done && remaining == 0)) break;
  }
  return CopyToBuffer(env, self->out.data(), self->out.size());
}

// compressAsync(input): one frame like compress(), but on the libuv thread pool with this
// Compressor's context, so a large body does not stall the event loop. The caller must not use
// the Compressor until the promise settles; the input and the Compressor are kept alive meanwhile.
struct CompressWork {
  napi_async_work work = nullptr;
  napi_deferred deferred = nullptr;
  napi_ref input_ref = nullptr;
  napi_ref self_ref = nullptr;
  ZSTD_CCtx* cctx = nullptr;
  const uint8_t* data = nullptr;
  size_t length = 0;
  uint8_t* out = nullptr;
  size_t written = 0;
};

void CompressWorkExecute(napi_env, void* data) {
  auto* w = static_cast<CompressWork*>(data);
  size_t bound = ZSTD_compressBound(w->length);
  w->out = static_cast<uint8_t*>(std::malloc(bound == 0 ? 1 : bound));
  if (w->out == nullptr) {
    w->written = static_cast<size_t>(-ZSTD_error_memory_allocation);
    return;
  }
  w->written = ZSTD_compress2(w->cctx, w->out, bound, w->data, w->length);
  if (ZSTD_isError(w->written)) ZSTD_CCtx_reset(w->cctx, ZSTD_reset_session_only);
}

void CompressWorkComplete(napi_env env, napi_status status, void* data) {
  auto* w = static_cast<CompressWork*>(data);
  napi_value outcome = nullptr;
  bool ok = false;
  if (status != napi_ok) {
    napi_value message;
    napi_create_string_utf8(env, "zstd compression was cancelled", NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, nullptr, message, &outcome);
  } else if (ZSTD_isError(w->written)) {
    napi_value message;
    napi_create_string_utf8(env, ZSTD_getErrorName(w->written), NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, nullptr, message, &outcome);
  } else {
    void* copy = nullptr;
    ok = napi_create_buffer_copy(env, w->written, w->out, &copy, &outcome) == napi_ok;
    if (!ok) {
      napi_value message;
      napi_create_string_utf8(env, "could not allocate the output buffer", NAPI_AUTO_LENGTH, &message);
      napi_create_error(env, nullptr, message, &outcome);
    }
  }
  if (ok) napi_resolve_deferred(env, w->deferred, outcome);
  else napi_reject_deferred(env, w->deferred, outcome);
  std::free(w->out);
  napi_delete_reference(env, w->input_ref);
  napi_delete_reference(env, w->self_ref);
  napi_delete_async_work(env, w->work);
  delete w;
}

napi_value CompressorCompressAsync(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_value self_value;
  napi_get_cb_info(env, info, &argc, argv, &self_value, nullptr);
  void* raw = nullptr;
  if (napi_unwrap(env, self_value, &raw) != napi_ok || raw == nullptr) {
    napi_throw_type_error(env, "ERR_ZSTD", "not a Compressor");
    return nullptr;
  }
  auto* w = new CompressWork();
  napi_value promise;
  napi_create_promise(env, &w->deferred, &promise);
  if (argc < 1 || !GetBytes(env, argv[0], &w->data, &w->length)) {
    // Bad input rejects the promise rather than throwing, as callers of an async API expect.
    napi_value error;
    if (argc < 1) napi_throw_error(env, "ERR_ZSTD", "compressAsync(input)");
    napi_get_and_clear_last_exception(env, &error);
    napi_reject_deferred(env, w->deferred, error);
    delete w;
    return promise;
  }
  w->cctx = static_cast<Compressor*>(raw)->cctx;
  napi_value name;
  napi_create_reference(env, argv[0], 1, &w->input_ref);
  napi_create_reference(env, self_value, 1, &w->self_ref);
  napi_create_string_utf8(env, "fasterapi:zstd-compress", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, nullptr, name, CompressWorkExecute, CompressWorkComplete, w, &w->work);
  napi_queue_async_work(env, w->work);
  return promise;
}

// reset(): drops any half-written frame so the context can serve the next response.
napi_value CompressorReset(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Compressor* self = UnwrapCompressor(env, info, &argc, nullptr);
  if (self == nullptr) return nullptr;
  ZSTD_CCtx_reset(self->cctx, ZSTD_reset_session_only);
  return nullptr;
}

// ---- streaming decompressor ----------------------------------------------------------------

struct Decompressor {
  ZSTD_DCtx* dctx = nullptr;
  size_t last_hint = 1;  // 0 once the last frame seen is complete
  std::vector<uint8_t> out;
};

void FreeDecompressor(napi_env, void* data, void*) {
  auto* self = static_cast<Decompressor*>(data);
  ZSTD_freeDCtx(self->dctx);
  delete self;
}

Decompressor* UnwrapDecompressor(napi_env env, napi_callback_info info, size_t* argc, napi_value* argv) {
  napi_value self_value;
  napi_get_cb_info(env, info, argc, argv, &self_value, nullptr);
  void* data = nullptr;
  if (napi_unwrap(env, self_value, &data) != napi_ok || data == nullptr) {
    napi_throw_type_error(env, "ERR_ZSTD", "not a Decompressor");
    return nullptr;
  }
  return static_cast<Decompressor*>(data);
}

napi_value DecompressorNew(napi_env env, napi_callback_info info) {
  napi_value self_value;
  size_t argc = 0;
  napi_get_cb_info(env, info, &argc, nullptr, &self_value, nullptr);
  auto* self = new Decompressor();
  self->dctx = ZSTD_createDCtx();
  if (self->dctx == nullptr) {
    delete self;
    napi_throw_error(env, "ERR_ZSTD", "could not create a zstd context");
    return nullptr;
  }
  ZSTD_DCtx_setParameter(self->dctx, ZSTD_d_windowLogMax, kMaxDecodeWindowLog);
  napi_wrap(env, self_value, self, FreeDecompressor, nullptr, nullptr);
  return self_value;
}

// push(input, budget): decodes input, but stops as soon as more than `budget` bytes came out,
// so a decompression bomb costs at most budget + one step of work. The caller treats an output
// longer than its budget as "limit exceeded" and discards the decoder.
napi_value DecompressorPush(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  Decompressor* self = UnwrapDecompressor(env, info, &argc, argv);
  if (self == nullptr) return nullptr;
  if (ThrowIf(env, argc < 2, "push(input, budget)")) return nullptr;
  const uint8_t* data = nullptr;
  size_t length = 0;
  int64_t budget = 0;
  if (!GetBytes(env, argv[0], &data, &length) || !GetInt(env, argv[1], &budget)) return nullptr;
  if (ThrowIf(env, budget < 0, "budget must not be negative")) return nullptr;

  const size_t cap = static_cast<size_t>(budget) + 1;
  const size_t step = ZSTD_DStreamOutSize();
  self->out.clear();
  ZSTD_inBuffer input = {data, length, 0};
  bool output_was_full = false;
  while ((input.pos < input.size || output_was_full) && self->out.size() < cap) {
    size_t used = self->out.size();
    size_t room = cap - used < step ? cap - used : step;
    self->out.resize(used + room);
    ZSTD_outBuffer output = {self->out.data() + used, room, 0};
    size_t hint = ZSTD_decompressStream(self->dctx, &output, &input);
    self->out.resize(used + output.pos);
    if (ThrowIfZstd(env, hint)) return nullptr;
    self->last_hint = hint;
    output_was_full = output.pos == output.size;
  }
  return CopyToBuffer(env, self->out.data(), self->out.size());
}

// complete: true when the input so far ends exactly at the end of a frame.
napi_value DecompressorComplete(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Decompressor* self = UnwrapDecompressor(env, info, &argc, nullptr);
  if (self == nullptr) return nullptr;
  napi_value result;
  napi_get_boolean(env, self->last_hint == 0, &result);
  return result;
}

napi_value DecompressorReset(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Decompressor* self = UnwrapDecompressor(env, info, &argc, nullptr);
  if (self == nullptr) return nullptr;
  ZSTD_DCtx_reset(self->dctx, ZSTD_reset_session_only);
  self->last_hint = 1;
  return nullptr;
}

napi_value DefineClass(napi_env env, const char* name, napi_callback ctor,
                       const napi_property_descriptor* methods, size_t count) {
  napi_value cls;
  napi_define_class(env, name, NAPI_AUTO_LENGTH, ctor, nullptr, count, methods, &cls);
  return cls;
}

napi_value Init(napi_env env, napi_value exports) {
  auto* state = new AddonState();
  napi_set_instance_data(env, state, FreeState, nullptr);

  const napi_property_descriptor compressor_methods[] = {
      {"push", nullptr, CompressorPush, nullptr, nullptr, nullptr, napi_default_method, nullptr},
      {"compressAsync", nullptr, CompressorCompressAsync, nullptr, nullptr, nullptr, napi_default_method, nullptr},
      {"reset", nullptr, CompressorReset, nullptr, nullptr, nullptr, napi_default_method, nullptr},
  };
  const napi_property_descriptor decompressor_methods[] = {
      {"push", nullptr, DecompressorPush, nullptr, nullptr, nullptr, napi_default_method, nullptr},
      {"reset", nullptr, DecompressorReset, nullptr, nullptr, nullptr, napi_default_method, nullptr},
      {"complete", nullptr, nullptr, DecompressorComplete, nullptr, nullptr, napi_default_jsproperty, nullptr},
  };
  napi_value compressor = DefineClass(env, "Compressor", CompressorNew, compressor_methods, 3);
  napi_value decompressor = DefineClass(env, "Decompressor", DecompressorNew, decompressor_methods, 3);
  napi_value compress_fn;
  napi_create_function(env, "compress", NAPI_AUTO_LENGTH, Compress, nullptr, &compress_fn);
  napi_value version;
  napi_create_string_utf8(env, ZSTD_versionString(), NAPI_AUTO_LENGTH, &version);

  const napi_property_descriptor props[] = {
      {"compress", nullptr, nullptr, nullptr, nullptr, compress_fn, napi_enumerable, nullptr},
      {"Compressor", nullptr, nullptr, nullptr, nullptr, compressor, napi_enumerable, nullptr},
      {"Decompressor", nullptr, nullptr, nullptr, nullptr, decompressor, napi_enumerable, nullptr},
      {"zstdVersion", nullptr, nullptr, nullptr, nullptr, version, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, 4, props);
  return exports;
}

}  // namespace

NAPI_MODULE_INIT() { return Init(env, exports); }
