/*
 * C++ helper for protocol modules (header-only, no N-API, no libuv): builds a module's
 * fa_protocol from a class of static callbacks, so no module spells out the table by hand.
 * Kept apart from napi_module.h so a module's core (and its fuzz driver) compiles without Node.
 */
#ifndef FASTERAPI_PROTOCOL_TABLE_H
#define FASTERAPI_PROTOCOL_TABLE_H

#include "fasterapi/engine_abi.h"

namespace fasterapi {

/* The fa_protocol for `Callbacks`: on_open, on_data and on_close are required; on_drain, on_end,
 * on_shutdown, on_handover, retain and release are set when Callbacks declares them (NULL
 * otherwise, with the engine's default behaviour). `name` must outlive the table. */
template <typename Callbacks>
fa_protocol protocol_table(const char* name, void* data) {
  fa_protocol p{};
  p.abi_version = FA_ENGINE_ABI_VERSION;
  p.size = sizeof(fa_protocol);
  p.name = name;
  p.data = data;
  p.on_open = Callbacks::on_open;
  p.on_data = Callbacks::on_data;
  p.on_close = Callbacks::on_close;
  if constexpr (requires { Callbacks::on_drain; }) p.on_drain = Callbacks::on_drain;
  if constexpr (requires { Callbacks::on_end; }) p.on_end = Callbacks::on_end;
  if constexpr (requires { Callbacks::on_shutdown; }) p.on_shutdown = Callbacks::on_shutdown;
  if constexpr (requires { Callbacks::on_handover; }) p.on_handover = Callbacks::on_handover;
  if constexpr (requires { Callbacks::retain; }) p.retain = Callbacks::retain;
  if constexpr (requires { Callbacks::release; }) p.release = Callbacks::release;
  return p;
}

/* retain and release for a Callbacks class that derives from this: the table's `data` is a Module
 * counting its references in `int refs`, freed by module_release(Module*) once none is left. */
template <typename Module>
struct RefCounted {
  static void retain(fa_protocol* p) { ++static_cast<Module*>(p->data)->refs; }
  static void release(fa_protocol* p) { module_release(static_cast<Module*>(p->data)); }
};

}  // namespace fasterapi

#endif
