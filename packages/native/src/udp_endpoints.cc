// See udp_endpoints.h.
#include "udp_endpoints.h"

#include <cstring>
#include <vector>

#include "engine.h"
#include "engine_api.h"
#include "udp_endpoint.h"

namespace fasterapi {

void udp_protocol_retain(fa_udp_protocol* proto) {
  if (proto != nullptr && proto->retain != nullptr) proto->retain(proto);
}

void udp_protocol_release(fa_udp_protocol* proto) {
  if (proto != nullptr && proto->release != nullptr) proto->release(proto);
}

int UdpEndpoints::bind(const UdpBindOptions& options, fa_udp_protocol* proto, std::string* error) {
  if (engine_->tearing_down() || engine_->closing()) {
    *error = engine_->tearing_down() ? "engine is being torn down" : "engine is closing";
    return -1;
  }
  if (proto == nullptr || proto->abi_version != FA_ENGINE_ABI_VERSION ||
      proto->size < sizeof(fa_udp_protocol)) {
    *error = "UDP module was built for another engine ABI version (want " +
             std::to_string(FA_ENGINE_ABI_VERSION) + ")";
    return -1;
  }
  if (proto->name == nullptr || proto->on_datagrams == nullptr || proto->on_close == nullptr) {
    *error = "UDP module needs a name, on_datagrams and on_close";
    return -1;
  }
  if (options.max_datagram < 1 || options.max_datagram > 65535) {
    *error = "maxDatagramSize must be between 1 and 65535";
    return -1;
  }
  const UdpSocket socket = open_udp_socket(options, error);
  if (socket.fd < 0) return -1;
  UdpEndpoint* endpoint = UdpEndpoint::open(this, engine_->loop(), engine_api(), socket,
                                            options.max_datagram, proto, error);
  if (endpoint == nullptr) return -1;
  endpoint->next = head_;
  if (head_ != nullptr) head_->prev = endpoint;
  head_ = endpoint;
  count_++;
  engine_->udp_endpoints_changed();
  return endpoint->port();
}

void UdpEndpoints::shutdown_all() {
  // Modules may close synchronously, so walk a snapshot.
  std::vector<UdpEndpoint*> snapshot;
  for (UdpEndpoint* e = head_; e != nullptr; e = e->next) snapshot.push_back(e);
  for (UdpEndpoint* e : snapshot) e->request_shutdown();
}

void UdpEndpoints::close_all(fa_close_reason reason) {
  for (UdpEndpoint* e = head_; e != nullptr; e = e->next) e->close(reason);
}

void UdpEndpoints::gone(UdpEndpoint* endpoint) {
  if (endpoint->prev != nullptr) endpoint->prev->next = endpoint->next;
  if (endpoint->next != nullptr) endpoint->next->prev = endpoint->prev;
  if (head_ == endpoint) head_ = endpoint->next;
  count_--;
  delete endpoint;
  engine_->udp_endpoints_changed();
}

}  // namespace fasterapi
