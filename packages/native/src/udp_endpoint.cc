// See udp_endpoint.h.
#include "udp_endpoint.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "udp_endpoints.h"

namespace fasterapi {
namespace {

fa_udp_addr bound_address(int fd) {
  fa_udp_addr addr;
  std::memset(&addr, 0, sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, &addr.sa, &len);
  return addr;
}

// FA_UDP_SEND_OK when every message may be sent, else the error code for the whole batch.
int check_messages(const fa_udp_send* messages, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const fa_udp_send& m = messages[i];
    const sa_family_t family = m.peer.sa.sa_family;
    if ((family != AF_INET && family != AF_INET6) || (m.len > 0 && m.data == nullptr)) {
      return FA_UDP_SEND_INVALID;
    }
    const size_t limit = udp_max_payload(m.peer);
    // A GSO train becomes one IP packet before segmentation: its total is bound by the same limit.
    if (m.len > limit || m.segment_size > limit) return FA_UDP_SEND_TOO_LARGE;
    if (m.segment_size != 0 && (m.len + m.segment_size - 1) / m.segment_size > FA_UDP_MAX_SEGMENTS) {
      return FA_UDP_SEND_TOO_LARGE;
    }
  }
  return FA_UDP_SEND_OK;
}

}  // namespace

UdpEndpoint::UdpEndpoint(UdpEndpoints* owner, const UdpSocket& socket, size_t max_datagram,
                         fa_udp_protocol* proto)
    : fa_udp_endpoint{nullptr, proto, nullptr},
      owner_(owner),
      fd_(socket.fd),
      port_(socket.port),
      gso_(socket.gso),
      in_(max_datagram, bound_address(socket.fd)) {
  poll_.data = this;
  udp_protocol_retain(proto);
}

UdpEndpoint::~UdpEndpoint() { udp_protocol_release(protocol); }

UdpEndpoint* UdpEndpoint::open(UdpEndpoints* owner, uv_loop_t* loop, const fa_engine_api* api,
                               const UdpSocket& socket, size_t max_datagram, fa_udp_protocol* proto,
                               std::string* error) {
  auto* self = new UdpEndpoint(owner, socket, max_datagram, proto);
  self->api = api;
  const int r = uv_poll_init_socket(loop, &self->poll_, socket.fd);
  if (r != 0) {
    *error = std::string("cannot poll the UDP socket: ") + uv_strerror(r);
    ::close(socket.fd);
    delete self;
    return nullptr;
  }
  uv_poll_start(&self->poll_, UV_READABLE, on_poll);
  if (proto->on_open != nullptr && proto->on_open(self, proto->data) != 0) {
    *error = std::string("the UDP module '") + proto->name + "' refused the endpoint";
    self->refused_ = true;
    if (!self->closing_) {  // on_open may have closed it itself before saying no
      self->closing_ = true;
      uv_close(reinterpret_cast<uv_handle_t*>(&self->poll_), on_closed);
    }
    return nullptr;
  }
  return self;
}

void UdpEndpoint::watch(bool writable) {
  if (closing_) return;
  watching_writable_ = writable;
  uv_poll_start(&poll_, writable ? UV_READABLE | UV_WRITABLE : UV_READABLE, on_poll);
}

void UdpEndpoint::on_poll(uv_poll_t* handle, int status, int events) {
  auto* self = static_cast<UdpEndpoint*>(handle->data);
  if (status < 0) {
    self->close(FA_CLOSE_REASON_ERROR);
    return;
  }
  if ((events & UV_WRITABLE) != 0) self->flush_queue();
  if ((events & UV_READABLE) != 0 && !self->closing_) self->receive();
}

void UdpEndpoint::receive() {
  UdpStats& stats = owner_->stats();
  for (int batch = 0; batch < kBatchesPerTurn && !closing_; batch++) {
    const UdpReceiveBatch::Result r = in_.receive(fd_);
    stats.truncated += r.truncated;
    stats.datagrams_in += r.delivered;
    stats.bytes_in += r.bytes;
    if (r.delivered > 0) protocol->on_datagrams(this, in_.datagrams(), r.delivered);
    if (r.received < UdpReceiveBatch::kSlots) break;  // drained (level-triggered poll: more later)
  }
}

void UdpEndpoint::count_sent(const UdpSendBatch::Outcome& outcome) {
  UdpStats& stats = owner_->stats();
  stats.datagrams_out += outcome.datagrams;
  stats.bytes_out += outcome.bytes;
  stats.send_errors += outcome.errors;
}

int UdpEndpoint::send(const fa_udp_send* messages, size_t n) {
  if (closing_) return FA_UDP_SEND_CLOSED;
  const int check = check_messages(messages, n);
  if (check != FA_UDP_SEND_OK) return check;
  UdpSendBatch::Cursor cursor;
  if (queue_.empty()) {
    UdpSendBatch::Outcome outcome;
    const bool all = out_.send(fd_, messages, n, &gso_, &cursor, &outcome);
    count_sent(outcome);
    if (all) return FA_UDP_SEND_OK;
  }
  const uint64_t dropped = queue_.append(messages, n, cursor);
  owner_->stats().send_dropped += dropped;
  owe_writable_ = true;
  if (!watching_writable_) watch(true);
  return dropped > 0 ? FA_UDP_SEND_DROPPED : FA_UDP_SEND_QUEUED;
}

void UdpEndpoint::flush_queue() {
  UdpSendBatch::Outcome outcome;
  const bool all = queue_.empty() ||
                   out_.send(fd_, queue_.messages(), queue_.size(), &gso_, queue_.head(), &outcome);
  count_sent(outcome);
  if (!all) return;  // still full: stay subscribed to writability
  queue_.clear();
  watch(false);
  if (owe_writable_ && !closing_) {
    owe_writable_ = false;
    if (protocol->on_writable != nullptr) protocol->on_writable(this);
  }
}

int UdpEndpoint::local_address(fa_udp_addr* out) const {
  std::memset(out, 0, sizeof *out);
  socklen_t len = sizeof *out;
  return getsockname(fd_, &out->sa, &len) == 0 ? 0 : -1;
}

void UdpEndpoint::request_shutdown() {
  if (closing_) return;
  if (protocol->on_shutdown != nullptr) {
    protocol->on_shutdown(this);
  } else {
    close(FA_CLOSE_REASON_LOCAL);
  }
}

void UdpEndpoint::close(fa_close_reason reason) {
  if (closing_) return;
  // One last try for what is queued: UDP has no FIN to wait for, so what stays is dropped.
  if (!queue_.empty()) {
    UdpSendBatch::Outcome outcome;
    if (!out_.send(fd_, queue_.messages(), queue_.size(), &gso_, queue_.head(), &outcome)) {
      owner_->stats().send_dropped += queue_.datagrams();
    }
    count_sent(outcome);
    queue_.clear();
  }
  closing_ = true;
  reason_ = reason;
  uv_poll_stop(&poll_);
  uv_close(reinterpret_cast<uv_handle_t*>(&poll_), on_closed);
}

void UdpEndpoint::on_closed(uv_handle_t* handle) {
  auto* self = static_cast<UdpEndpoint*>(handle->data);
  ::close(self->fd_);
  if (self->refused_) {
    delete self;  // on_open said no: the module never owned it, and no list holds it
    return;
  }
  self->protocol->on_close(self, self->reason_);
  UdpEndpoints* owner = self->owner_;
  owner->gone(self);  // unlinks and deletes it; last, as it may free the engine
}

}  // namespace fasterapi
