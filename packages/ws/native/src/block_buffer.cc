// See block_buffer.h.
// Node's own headers first: they set the Node-API version this file sees.
#include <node_buffer.h>
#include <v8.h>

#include "block_buffer.h"

namespace fasterapi::ws {
namespace {

// Keeps a block's reference while JS can reach its ArrayBuffer. The ones of this thread's
// Node environment are linked, so the environment's teardown (a worker that ends) releases
// what its last GC did not collect.
struct HeldBlock {
  v8::Global<v8::ArrayBuffer> buffer;
  EventBlock* block;
  HeldBlock* prev;
  HeldBlock* next;
};

thread_local HeldBlock* held_blocks = nullptr;
thread_local bool cleanup_registered = false;

void drop(HeldBlock* held) {
  if (held->prev != nullptr) held->prev->next = held->next;
  if (held->next != nullptr) held->next->prev = held->prev;
  if (held_blocks == held) held_blocks = held->next;
  held->buffer.Reset();
  block_release(held->block);
  delete held;
}

// First-pass weak callback: the ArrayBuffer is unreachable, so nothing in JS sees the block any
// more; returning it to the pool touches no V8 state.
void on_collected(const v8::WeakCallbackInfo<HeldBlock>& info) { drop(info.GetParameter()); }

void on_environment_teardown(void*) {
  while (held_blocks != nullptr) drop(held_blocks);
  cleanup_registered = false;
}

// Node-API values are V8 handles (Node's js_native_api_v8.h makes them the same way).
napi_value to_napi(v8::Local<v8::Value> value) { return reinterpret_cast<napi_value>(*value); }

}  // namespace

napi_value block_buffer(napi_env env, EventBlock* block) {
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  // An empty deleter is what makes V8 leave the bytes out of its external-memory accounting.
  std::unique_ptr<v8::BackingStore> store =
      v8::ArrayBuffer::NewBackingStore(block->data, block->used, v8::BackingStore::EmptyDeleter, nullptr);
  v8::Local<v8::ArrayBuffer> array_buffer = v8::ArrayBuffer::New(isolate, std::move(store));
  // A detached (transferred) ArrayBuffer would be collected while its new owner still reads
  // the block: a key nobody else holds makes every detach fail.
  array_buffer->SetDetachKey(array_buffer);
  v8::Local<v8::Uint8Array> view;
  if (!node::Buffer::New(isolate, array_buffer, 0, block->used).ToLocal(&view)) {
    block_release(block);
    return nullptr;
  }
  if (!cleanup_registered) {
    napi_add_env_cleanup_hook(env, on_environment_teardown, nullptr);
    cleanup_registered = true;
  }
  auto* held = new HeldBlock{v8::Global<v8::ArrayBuffer>(isolate, array_buffer), block, nullptr, held_blocks};
  if (held_blocks != nullptr) held_blocks->prev = held;
  held_blocks = held;
  held->buffer.SetWeak(held, on_collected, v8::WeakCallbackType::kParameter);
  return to_napi(view);
}

void report_pool_bytes(napi_env env, size_t pool_bytes, int64_t* reported) {
  const int64_t change = static_cast<int64_t>(pool_bytes) - *reported;
  if (change == 0) return;
  int64_t total = 0;
  napi_adjust_external_memory(env, change, &total);
  *reported += change;
}

}  // namespace fasterapi::ws
