// The fa_udp_api table of engine_abi.h (reached as fa_engine_api.udp): thin C entry points that
// forward to UdpEndpoint. Immutable and shared by every engine in the process, like engine_api.cc.
#include "udp_api.h"

#include "engine.h"
#include "udp_endpoint.h"
#include "udp_endpoints.h"

namespace fasterapi {
namespace {

UdpEndpoint* U(fa_udp_endpoint* ep) { return static_cast<UdpEndpoint*>(ep); }

int send(fa_udp_endpoint* ep, const fa_udp_send* messages, size_t n) {
  return U(ep)->send(messages, n);
}
size_t queued_bytes(fa_udp_endpoint* ep) { return U(ep)->queued_bytes(); }
int local_address(fa_udp_endpoint* ep, fa_udp_addr* out) { return U(ep)->local_address(out); }
size_t max_segments(fa_udp_endpoint* ep) { return U(ep)->max_segments(); }
void close(fa_udp_endpoint* ep) { U(ep)->close(FA_CLOSE_REASON_LOCAL); }
fa_engine* endpoint_engine(fa_udp_endpoint* ep) {
  return U(ep)->owner()->engine()->as_fa();
}

const fa_udp_api kUdpApi = {
    FA_ENGINE_ABI_VERSION,
    sizeof(fa_udp_api),
    send,
    queued_bytes,
    local_address,
    max_segments,
    close,
    endpoint_engine,
};

}  // namespace

const fa_udp_api* udp_api() { return &kUdpApi; }

}  // namespace fasterapi
