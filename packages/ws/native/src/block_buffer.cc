// See block_buffer.h.
// Node's own headers first: they set the Node-API version this file sees.
#include <node_buffer.h>

#include "block_buffer.h"
#include "fasterapi/v8_interop.h"

namespace fasterapi::ws {
namespace {

struct HeldBlocks;

// Keeps a block's reference while JS can reach its ArrayBuffer.
struct HeldBlock {
  v8::Global<v8::ArrayBuffer> buffer;
  EventBlock* block;
  HeldBlocks* list;
  HeldBlock* prev;
  HeldBlock* next;
};

// The blocks JS holds in one Node environment (the addon's instance data), so the environment's
// teardown (a worker that ends) releases what its last GC did not collect.
struct HeldBlocks {
  HeldBlock* head = nullptr;
};

void drop(HeldBlock* held) {
  HeldBlocks* list = held->list;
  if (held->prev != nullptr) held->prev->next = held->next;
  if (held->next != nullptr) held->next->prev = held->prev;
  if (list->head == held) list->head = held->next;
  held->buffer.Reset();
  block_release(held->block);
  delete held;
}

// First-pass weak callback: the ArrayBuffer is unreachable, so nothing in JS sees the block any
// more; returning it to the pool touches no V8 state.
void on_collected(const v8::WeakCallbackInfo<HeldBlock>& info) { drop(info.GetParameter()); }

void on_environment_teardown(napi_env, void* data, void*) {
  auto* list = static_cast<HeldBlocks*>(data);
  while (list->head != nullptr) drop(list->head);
  delete list;
}

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
  void* data = nullptr;
  napi_get_instance_data(env, &data);
  auto* list = static_cast<HeldBlocks*>(data);
  auto* held = new HeldBlock{v8::Global<v8::ArrayBuffer>(isolate, array_buffer), block, list, nullptr, list->head};
  if (list->head != nullptr) list->head->prev = held;
  list->head = held;
  held->buffer.SetWeak(held, on_collected, v8::WeakCallbackType::kParameter);
  return v8_interop::to_napi(view);
}

bool prepare_block_buffers(napi_env env) {
  if (!v8_interop::require_node_major(env, "fasterapi_ws")) return false;
  return napi_set_instance_data(env, new HeldBlocks(), on_environment_teardown, nullptr) == napi_ok;
}

void report_pool_bytes(napi_env env, size_t pool_bytes, int64_t* reported) {
  const int64_t change = static_cast<int64_t>(pool_bytes) - *reported;
  if (change == 0) return;
  int64_t total = 0;
  napi_adjust_external_memory(env, change, &total);
  *reported += change;
}

}  // namespace fasterapi::ws
