// The JS Buffer over an event block. Blocks are pooled, so handing one to JS allocates nothing;
// but a Buffer made through N-API (napi_create_external_buffer) tells V8 the block is new
// external memory every time, and at a gigabyte of messages a second that accounting alone
// starts a full GC every few dozen milliseconds. These Buffers are made with V8's API over a
// backing store V8 does not count; the memory the pool really holds is reported instead
// (report_pool_bytes), so V8 still sees what JS keeps alive. V8's API ties the addon to the Node
// major it was built for.
#pragma once

#include <node_api.h>

#include <cstddef>
#include <cstdint>

#include "event_batch.h"

namespace fasterapi::ws {

/**
 * Once, when the addon loads: checks that Node is the major this was built for (else throws),
 * and sets up this environment's record of the blocks JS holds.
 */
bool prepare_block_buffers(napi_env env);

/**
 * A Buffer over block->data[0..used) that owns one reference to the block: it is released when
 * the Buffer's ArrayBuffer is collected. The ArrayBuffer cannot be detached (transferred), since
 * its memory goes back to the pool; JS marks it untransferable, so a transfer list copies it.
 * Null, with the reference released, if V8 could not make it.
 */
napi_value block_buffer(napi_env env, EventBlock* block);

/** Tells V8 how far the pool's memory (`pool_bytes`) moved since the last call; `reported` keeps the sum. */
void report_pool_bytes(napi_env env, size_t pool_bytes, int64_t* reported);

}  // namespace fasterapi::ws
