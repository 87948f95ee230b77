// See wire_module.h.
#include "wire_module.h"

namespace fasterapi::pgwire {
namespace {

WireModule* module_of(fa_protocol* p) { return static_cast<WireModule*>(p->data); }
WireModule* module_of(fa_conn* c) { return module_of(c->protocol); }
uint64_t id_of(fa_conn* c) { return c->api->conn_id(c); }

int on_open(fa_conn* conn, void* data) {
  static_cast<WireModule*>(data)->conns[id_of(conn)] = conn;
  return 0;
}

// Everything is consumed: partial messages are the JS parser's to keep, as with net.Socket.
ptrdiff_t on_data(fa_conn* conn, const uint8_t* data, size_t len) {
  js_data(module_of(conn), id_of(conn), data, len);
  return static_cast<ptrdiff_t>(len);
}

void on_drain(fa_conn* conn) { js_drain(module_of(conn), id_of(conn)); }

void on_close(fa_conn* conn, fa_close_reason reason) {
  WireModule* m = module_of(conn);
  const uint64_t id = id_of(conn);
  m->conns.erase(id);
  if (reason != FA_CLOSE_REASON_TEARDOWN) js_closed(m, id, reason);
}

void retain(fa_protocol* p) { ++module_of(p)->refs; }
void release(fa_protocol* p) { module_release(module_of(p)); }

}  // namespace

WireModule* create_module(const fa_engine_api* api, void* js) {
  auto* m = new WireModule();
  m->api = api;
  m->js = js;
  fa_protocol& p = m->proto;
  p.abi_version = FA_ENGINE_ABI_VERSION;
  p.size = sizeof(fa_protocol);
  p.name = "postgresql";
  p.data = m;
  p.on_open = on_open;
  p.on_data = on_data;
  p.on_drain = on_drain;
  // on_end, on_timeout, on_shutdown stay null: the engine then closes gracefully, which is all
  // a client session needs when the server hangs up.
  p.on_close = on_close;
  p.retain = retain;
  p.release = release;
  return m;
}

void module_release(WireModule* m) {
  if (--m->refs > 0) return;
  js_release(m);
  delete m;
}

}  // namespace fasterapi::pgwire
