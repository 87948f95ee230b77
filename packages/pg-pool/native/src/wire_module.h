// The PostgreSQL session-socket module: a protocol module of the FasterAPI engine for client
// sockets that pg-pool connected and authenticated in JS, then handed to the engine
// (Engine::adopt). It keeps no protocol state of its own: every read goes to JS whole, in one
// call, and JS's writes go straight into the engine's corked write queue. Framing and decoding
// stay in @fasterapi/pg-codec, so the JS parser sees exactly the bytes a net.Socket would give it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include "fasterapi/engine_abi.h"

namespace fasterapi::pgwire {

struct WireModule {
  fa_protocol proto{};
  const fa_engine_api* api = nullptr;
  std::unordered_map<uint64_t, fa_conn*> conns;  // open sessions by engine connection id
  int refs = 1;         // the JS protocol external holds one; the engine one per registration/connection
  void* js = nullptr;   // the N-API layer's state (addon.cc)

  fa_conn* find(uint64_t id) const {
    auto it = conns.find(id);
    return it == conns.end() ? nullptr : it->second;
  }
};

WireModule* create_module(const fa_engine_api* api, void* js);
void module_release(WireModule* m);

// Implemented by the N-API layer (addon.cc): events for JS.
void js_data(WireModule* m, uint64_t id, const uint8_t* data, size_t len);
void js_drain(WireModule* m, uint64_t id);
// Not called for FA_CLOSE_REASON_TEARDOWN: JS is going away and must not be called.
void js_closed(WireModule* m, uint64_t id, fa_close_reason reason);
void js_release(WireModule* m);

}  // namespace fasterapi::pgwire
