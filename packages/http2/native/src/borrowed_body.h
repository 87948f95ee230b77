// A large Buffer body held by reference: the payload keeps the Buffer's V8 backing store alive
// (a std::shared_ptr, so neither JS nor a later detach can free it) until the last DATA slice
// pointing into it has been written, instead of copying it. node:http2 writes Buffers without a
// copy too; copying a 1 MiB answer (and faulting in fresh pages for it) made this module slower
// than node:http2 on large downloads. Node-API has no way to hold memory like this, so it uses
// V8's API, which ties the addon to the Node major it was built for.
#pragma once

#define NAPI_VERSION 8
#include <node_api.h>

#include <cstddef>

#include "h2_payload.h"

namespace fasterapi::http2 {

/** Buffers at least this long are borrowed; shorter ones are cheaper to copy. */
constexpr size_t kBorrowMin = 16 * 1024;

/** At load time: false, with an Error thrown, unless Node is the major this was built for. */
bool borrowing_supported(napi_env env);

/** A payload over the bytes of `buffer` (a Buffer or other typed array); nullptr when out of memory. */
Payload* borrow_buffer(napi_value buffer);

}  // namespace fasterapi::http2
