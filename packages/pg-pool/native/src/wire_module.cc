// See wire_module.h.
#include "wire_module.h"

#include "fasterapi/protocol_table.h"

namespace fasterapi::pgwire {
namespace {

WireModule* module_of(fa_protocol* p) { return static_cast<WireModule*>(p->data); }
WireModule* module_of(fa_conn* c) { return module_of(c->protocol); }
uint64_t id_of(fa_conn* c) { return c->api->conn_id(c); }

// No on_end or on_shutdown: the engine then closes gracefully, which is all a client session
// needs when the server hangs up.
struct Callbacks {
  static int on_open(fa_conn* conn, void* data) {
    static_cast<WireModule*>(data)->conns[id_of(conn)] = conn;
    return 0;
  }

  // Everything is consumed: partial messages are the JS parser's to keep, as with net.Socket.
  static ptrdiff_t on_data(fa_conn* conn, const uint8_t* data, size_t len) {
    js_data(module_of(conn), id_of(conn), data, len);
    return static_cast<ptrdiff_t>(len);
  }

  static void on_drain(fa_conn* conn) { js_drain(module_of(conn), id_of(conn)); }

  static void on_close(fa_conn* conn, fa_close_reason reason) {
    WireModule* m = module_of(conn);
    const uint64_t id = id_of(conn);
    m->conns.erase(id);
    if (reason != FA_CLOSE_REASON_TEARDOWN) js_closed(m, id, reason);
  }

  static void retain(fa_protocol* p) { ++module_of(p)->refs; }
  static void release(fa_protocol* p) { module_release(module_of(p)); }
};

}  // namespace

WireModule* create_module(const fa_engine_api* api, void* js) {
  auto* m = new WireModule();
  m->api = api;
  m->js = js;
  m->proto = protocol_table<Callbacks>("postgresql", m);
  return m;
}

void module_release(WireModule* m) {
  if (--m->refs > 0) return;
  js_release(m);
  delete m;
}

}  // namespace fasterapi::pgwire
