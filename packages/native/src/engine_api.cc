// The fa_engine_api table of engine_abi.h: thin C entry points that forward to Engine and
// Connection. It is immutable and shared by every engine in the process (all threads), so
// protocol addons can keep the pointer without caring which engine a connection belongs to.
#include "engine_api.h"

#include <string>

#include "connection.h"
#include "engine.h"
#include "udp_api.h"

namespace fasterapi {
namespace {

Connection* C(fa_conn* c) { return static_cast<Connection*>(c); }
Engine* E(fa_engine* e) { return Engine::from_fa(e); }

int register_protocol(fa_engine* engine, fa_protocol* proto) {
  std::string error;
  return E(engine)->register_protocol(proto, &error);
}
fa_protocol* find_protocol(fa_engine* engine, const char* name) {
  return E(engine)->find_protocol(name);
}
int engine_is_closing(fa_engine* engine) { return E(engine)->closing() ? 1 : 0; }
uint64_t engine_adopt(fa_engine* engine, int fd, fa_protocol* proto) {
  std::string error;
  return E(engine)->adopt(fd, proto, &error);
}
fa_engine* conn_engine(fa_conn* c) { return C(c)->engine()->as_fa(); }
uint64_t conn_id(fa_conn* c) { return C(c)->id(); }
int conn_write(fa_conn* c, const fa_iovec* iov, size_t n) { return C(c)->write(iov, n); }
int conn_write_ref(fa_conn* c, const fa_iovec* iov, size_t n, fa_release_fn release, void* arg) {
  return C(c)->write_ref(iov, n, release, arg);
}
void conn_cork(fa_conn* c) { C(c)->cork(); }
void conn_uncork(fa_conn* c) { C(c)->uncork(); }
size_t conn_buffered_bytes(fa_conn* c) { return C(c)->buffered(); }
void conn_close(fa_conn* c, int mode) { C(c)->close(mode, FA_CLOSE_REASON_LOCAL); }
void conn_pause_reading(fa_conn* c) { C(c)->pause_reading(); }
void conn_resume_reading(fa_conn* c) { C(c)->resume_reading(); }
void* conn_user_data(fa_conn* c) { return c->user_data; }
void conn_set_user_data(fa_conn* c, void* user) { c->user_data = user; }
int conn_remote_address(fa_conn* c, char* ip, size_t ip_len, int* port) {
  return C(c)->remote_address(ip, ip_len, port);
}
int conn_local_port(fa_conn* c) { return C(c)->local_port(); }
int conn_is_tls(fa_conn* c) { return C(c)->is_tls() ? 1 : 0; }
const char* conn_alpn(fa_conn* c) { return C(c)->alpn(); }
const char* conn_server_name(fa_conn* c) { return C(c)->server_name(); }
int conn_handover(fa_conn* c, fa_protocol* next, const void* handoff, size_t len) {
  return C(c)->handover(next, handoff, len);
}
void timer_init(fa_engine* engine, fa_timer* timer, fa_timer_fn fire, void* arg) {
  *timer = fa_timer{};
  timer->fire = fire;
  timer->arg = arg;
  timer->engine = engine;
}
void timer_start(fa_timer* timer, uint64_t ms) { E(timer->engine)->timers()->start(timer, ms); }
void timer_stop(fa_timer* timer) {
  if (timer->slot != 0) E(timer->engine)->timers()->stop(timer);
}
void turn_hook_request(fa_engine* engine, fa_turn_hook* hook) { E(engine)->request_turn_hook(hook); }

const fa_engine_api kApi = {
    FA_ENGINE_ABI_VERSION,
    sizeof(fa_engine_api),
    register_protocol,
    find_protocol,
    engine_is_closing,
    engine_adopt,
    conn_engine,
    conn_id,
    conn_write,
    conn_write_ref,
    conn_cork,
    conn_uncork,
    conn_buffered_bytes,
    conn_close,
    conn_pause_reading,
    conn_resume_reading,
    conn_user_data,
    conn_set_user_data,
    conn_remote_address,
    conn_local_port,
    conn_is_tls,
    conn_alpn,
    conn_server_name,
    conn_handover,
    timer_init,
    timer_start,
    timer_stop,
    turn_hook_request,
    udp_api(),
};

}  // namespace

const fa_engine_api* engine_api() { return &kApi; }

}  // namespace fasterapi
