// See borrowed_body.h.
#include "borrowed_body.h"

#include <memory>
#include <new>

#include "fasterapi/v8_interop.h"

namespace fasterapi::http2 {
namespace {

using Store = std::shared_ptr<v8::BackingStore>;

void drop_store(void* owner) { delete static_cast<Store*>(owner); }

}  // namespace

bool borrowing_supported(napi_env env) { return v8_interop::require_node_major(env, "fasterapi_http2"); }

Payload* borrow_buffer(napi_value buffer) {
  const v8::Local<v8::ArrayBufferView> view = v8_interop::from_napi(buffer).As<v8::ArrayBufferView>();
  auto* store = new (std::nothrow) Store(view->Buffer()->GetBackingStore());
  if (store == nullptr) return nullptr;
  const char* data = static_cast<const char*>((*store)->Data()) + view->ByteOffset();
  Payload* p = Payload::borrow(data, view->ByteLength(), drop_store, store);
  if (p == nullptr) drop_store(store);
  return p;
}

}  // namespace fasterapi::http2
