// The endpoint side of the HTTP/3 server: routes each datagram to its connection by destination
// connection ID, answers unknown versions with Version Negotiation, validates addresses with
// Retry tokens, answers strays with stateless resets, and batches what connections send.
#include "h3_server.h"

#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>
#include <arpa/inet.h>
#include <time.h>

#include <algorithm>
#include <cstring>

#include "h3_connection.h"

namespace fasterapi::http3 {

namespace {

constexpr size_t kCidLen = 18;  // our connection IDs (short headers carry no length)
constexpr ngtcp2_duration kRetryTokenLifetime = 10 * NGTCP2_SECONDS;

ngtcp2_tstamp now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<ngtcp2_tstamp>(ts.tv_sec) * NGTCP2_SECONDS + static_cast<ngtcp2_tstamp>(ts.tv_nsec);
}

ngtcp2_socklen addr_len(const fa_udp_addr& a) {
  return a.sa.sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
}

std::string key(const uint8_t* cid, size_t len) { return {reinterpret_cast<const char*>(cid), len}; }

}  // namespace

Server::Server(const fa_engine_api* api, const Options& options, Embedder embedder)
    : api_(api), options_(options), embedder_(embedder) {
  gnutls_rnd(GNUTLS_RND_RANDOM, secret_, sizeof secret_);
  gnutls_certificate_allocate_credentials(&cred_);
  turn_hook_.fn = on_turn;
  turn_hook_.arg = this;
}

Server::~Server() {
  endpoint_closed();
  if (cred_ != nullptr) gnutls_certificate_free_credentials(cred_);
}

bool Server::set_certificate(std::string_view key_pem, std::string_view cert_pem, std::string* error) {
  gnutls_datum_t key{reinterpret_cast<unsigned char*>(const_cast<char*>(key_pem.data())),
                     static_cast<unsigned>(key_pem.size())};
  gnutls_datum_t cert{reinterpret_cast<unsigned char*>(const_cast<char*>(cert_pem.data())),
                      static_cast<unsigned>(cert_pem.size())};
  const int rv = gnutls_certificate_set_x509_key_mem2(cred_, &cert, &key, GNUTLS_X509_FMT_PEM, nullptr, 0);
  if (rv < 0) {
    *error = gnutls_strerror(rv);
    return false;
  }
  return true;
}

void Server::endpoint_open(fa_udp_endpoint* ep) {
  ep_ = ep;
  engine_ = ep->api->udp->endpoint_engine(ep);
}

size_t Server::max_segments() const { return ep_ == nullptr ? 1 : api_->udp->max_segments(ep_); }

void Server::on_datagrams(const fa_udp_datagram* datagrams, size_t n) {
  in_batch_ = true;
  for (size_t i = 0; i < n; i++) handle(datagrams[i]);
  in_batch_ = false;
  flush();
}

void Server::on_writable() {}

void Server::handle(const fa_udp_datagram& d) {
  stats_.bytes_in += static_cast<double>(d.len);
  if (d.len == 0) {  // legal on the wire; ngtcp2_pkt_decode_version_cid asserts on it
    stats_.dropped_datagrams++;
    return;
  }
  ngtcp2_version_cid vc;
  const int rv = ngtcp2_pkt_decode_version_cid(&vc, d.data, d.len, kCidLen);
  if (rv == NGTCP2_ERR_VERSION_NEGOTIATION) {
    send_version_negotiation(d, vc.scid, vc.scidlen, vc.dcid, vc.dcidlen);
    return;
  }
  if (rv != 0) {
    stats_.dropped_datagrams++;
    return;
  }
  auto it = by_cid_.find(key(vc.dcid, vc.dcidlen));
  if (it != by_cid_.end()) {
    it->second->read(d);
    return;
  }
  if ((d.data[0] & 0x80) == 0) {  // short header for a connection we do not know
    send_stateless_reset(d, vc.dcid, vc.dcidlen);
    return;
  }
  if (vc.version == 0 || vc.dcidlen > NGTCP2_MAX_CIDLEN) {  // Version Negotiation is not for servers
    stats_.dropped_datagrams++;
    return;
  }
  accept_initial(d);
}

void Server::accept_initial(const fa_udp_datagram& d) {
  ngtcp2_pkt_hd hd;
  if (shutting_down_ || ngtcp2_accept(&hd, d.data, d.len) != 0 || by_id_.size() >= options_.max_connections) {
    stats_.dropped_datagrams++;
    return;
  }
  ngtcp2_cid odcid;
  const ngtcp2_cid* validated = nullptr;
  if (hd.token.len > 0 && hd.token.base[0] == NGTCP2_CRYPTO_TOKEN_MAGIC_RETRY) {
    if (ngtcp2_crypto_verify_retry_token(&odcid, hd.token.base, hd.token.len, secret_, sizeof secret_, hd.version,
                                         &d.peer.sa, addr_len(d.peer), &hd.dcid, kRetryTokenLifetime, now()) != 0) {
      stats_.dropped_datagrams++;  // forged, expired or for another address
      return;
    }
    validated = &odcid;
  }
  const bool retry = options_.retry == RetryMode::kAlways ||
                     (options_.retry == RetryMode::kUnderLoad && by_id_.size() >= options_.retry_load_threshold);
  if (validated == nullptr && retry) {
    send_retry(d, hd.version, hd.dcid.data, hd.dcid.datalen, hd.scid.data, hd.scid.datalen);
    return;
  }
  const uint32_t id = next_id_++;
  auto conn = std::make_unique<Connection>(this, id);
  Connection* c = conn.get();
  if (!conn->init(hd, validated, d)) {
    stats_.handshake_failures++;
    return;
  }
  by_id_.emplace(id, std::move(conn));
  stats_.active_connections = static_cast<double>(by_id_.size());
  c->read(d);
}

void Server::send_version_negotiation(const fa_udp_datagram& d, const uint8_t* dcid, size_t dcidlen,
                                      const uint8_t* scid, size_t scidlen) {
  static const uint32_t kVersions[] = {NGTCP2_PROTO_VER_V1};
  uint8_t buf[256];
  uint8_t unused;
  gnutls_rnd(GNUTLS_RND_NONCE, &unused, 1);
  const ngtcp2_ssize n = ngtcp2_pkt_write_version_negotiation(buf, sizeof buf, unused, dcid, dcidlen, scid, scidlen,
                                                              kVersions, 1);
  if (n <= 0) return;
  stats_.version_negotiations++;
  send_one(buf, static_cast<size_t>(n), d.peer, d.local);
}

void Server::send_retry(const fa_udp_datagram& d, uint32_t version, const uint8_t* dcid, size_t dcidlen,
                        const uint8_t* scid, size_t scidlen) {
  ngtcp2_cid odcid, client_scid, retry_scid;
  ngtcp2_cid_init(&odcid, dcid, dcidlen);
  ngtcp2_cid_init(&client_scid, scid, scidlen);
  retry_scid.datalen = kCidLen;
  gnutls_rnd(GNUTLS_RND_NONCE, retry_scid.data, kCidLen);
  uint8_t token[NGTCP2_CRYPTO_MAX_RETRY_TOKENLEN];
  const ngtcp2_ssize tokenlen = ngtcp2_crypto_generate_retry_token(
      token, secret_, sizeof secret_, version, &d.peer.sa, addr_len(d.peer), &retry_scid, &odcid, now());
  if (tokenlen < 0) return;
  uint8_t buf[256];
  const ngtcp2_ssize n = ngtcp2_crypto_write_retry(buf, sizeof buf, version, &client_scid, &retry_scid, &odcid,
                                                   token, static_cast<size_t>(tokenlen));
  if (n <= 0) return;
  stats_.retries++;
  send_one(buf, static_cast<size_t>(n), d.peer, d.local);
}

void Server::send_stateless_reset(const fa_udp_datagram& d, const uint8_t* dcid, size_t dcidlen) {
  // Smaller than what provoked it (no reset loops), and never for tiny packets.
  constexpr size_t kOverhead = 1 + NGTCP2_STATELESS_RESET_TOKENLEN;
  if (d.len <= kOverhead + NGTCP2_MIN_STATELESS_RESET_RANDLEN + 1) {
    stats_.dropped_datagrams++;
    return;
  }
  ngtcp2_cid cid;
  ngtcp2_cid_init(&cid, dcid, dcidlen);
  uint8_t token[NGTCP2_STATELESS_RESET_TOKENLEN];
  if (ngtcp2_crypto_generate_stateless_reset_token(token, secret_, sizeof secret_, &cid) != 0) return;
  uint8_t rand[64];
  const size_t randlen = std::min(sizeof rand, d.len - kOverhead - 1);
  gnutls_rnd(GNUTLS_RND_NONCE, rand, randlen);
  uint8_t buf[128];
  const ngtcp2_ssize n = ngtcp2_pkt_write_stateless_reset(buf, sizeof buf, token, rand, randlen);
  if (n <= 0) return;
  stats_.stateless_resets++;
  send_one(buf, static_cast<size_t>(n), d.peer, d.local);
}

void Server::send_one(const uint8_t* data, size_t len, const fa_udp_addr& peer, const fa_udp_addr& local) {
  if (ep_ == nullptr) return;
  const fa_udp_send message{data, len, peer, local, 0, 0};
  stats_.bytes_out += static_cast<double>(len);
  api_->udp->send(ep_, &message, 1);
}

void Server::send_burst(const size_t* sizes, size_t n, const fa_udp_addr& peer, const fa_udp_addr& local,
                        uint8_t ecn) {
  if (ep_ == nullptr || n == 0) return;
  uint8_t* buf = tx_buffer();
  sends_.clear();
  const bool gso = max_segments() > 1;
  size_t offset = 0;
  for (size_t i = 0; i < n;) {
    size_t run = 1;  // a GSO train: packets of sizes[i] bytes, the last may be shorter
    size_t bytes = sizes[i];
    if (gso) {
      while (i + run < n && sizes[i + run] == sizes[i]) bytes += sizes[i + run++];
      if (i + run < n && sizes[i + run] < sizes[i]) bytes += sizes[i + run++];
    }
    sends_.push_back(fa_udp_send{buf + offset, bytes, peer, local, static_cast<uint16_t>(run > 1 ? sizes[i] : 0), ecn});
    offset += bytes;
    i += run;
  }
  stats_.bytes_out += static_cast<double>(offset);
  api_->udp->send(ep_, sends_.data(), sends_.size());
}

void Server::register_cid(const uint8_t* cid, size_t len, Connection* c) { by_cid_[key(cid, len)] = c; }

void Server::unregister_cid(const uint8_t* cid, size_t len) {
  auto it = by_cid_.find(key(cid, len));
  if (it != by_cid_.end()) by_cid_.erase(it);
}

void Server::mark_dirty(Connection* c) {
  if (!c->dirty) {
    c->dirty = true;
    dirty_.push_back(c->id());
  }
  if (!in_batch_ && engine_ != nullptr) api_->turn_hook_request(engine_, &turn_hook_);
}

void Server::connection_done(Connection* c) {
  done_.push_back(c->id());
  if (!in_batch_ && engine_ != nullptr) api_->turn_hook_request(engine_, &turn_hook_);
}

Connection* Server::find(uint32_t id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() || it->second->done() ? nullptr : it->second.get();
}

void Server::on_turn(void* arg) { static_cast<Server*>(arg)->flush(); }

void Server::flush() {
  // Delivering events runs JS, which may answer at once and dirty connections again.
  for (int round = 0; round < 2; round++) {
    std::vector<uint32_t> dirty;
    dirty.swap(dirty_);
    for (uint32_t id : dirty) {
      if (Connection* c = find(id)) c->write();
    }
    // JS may re-enter (engine.close() from a microtask runs on_shutdown, which flushes): every
    // list is taken before it is worked on, so nothing is delivered or freed twice.
    std::vector<Event> batch;
    batch.swap(events_);
    if (!batch.empty()) embedder_.deliver(embedder_.ctx, batch);
  }
  std::vector<uint32_t> done;
  done.swap(done_);
  for (uint32_t id : done) by_id_.erase(id);
  stats_.active_connections = static_cast<double>(by_id_.size());
  if (shutting_down_ && by_id_.empty() && ep_ != nullptr) {
    fa_udp_endpoint* ep = ep_;
    ep_ = nullptr;
    api_->udp->close(ep);
  }
}

void Server::on_shutdown() {
  shutting_down_ = true;
  in_batch_ = true;
  for (auto& [id, c] : by_id_) c->goaway();
  in_batch_ = false;
  flush();
}

void Server::endpoint_closed() {
  ep_ = nullptr;
  dirty_.clear();
  done_.clear();
  events_.clear();
  by_id_.clear();
  by_cid_.clear();
}

bool Server::respond(uint32_t conn, int64_t stream, uint32_t status, std::string_view content_type,
                     std::string_view headers, const uint8_t* body, size_t len, bool streamed, bool head) {
  Connection* c = find(conn);
  return c != nullptr && c->respond(stream, status, content_type, headers, body, len, streamed, head);
}

int Server::write(uint32_t conn, int64_t stream, const uint8_t* data, size_t len) {
  Connection* c = find(conn);
  return c == nullptr ? -1 : c->write_body(stream, data, len);
}

bool Server::end(uint32_t conn, int64_t stream) {
  Connection* c = find(conn);
  return c != nullptr && c->end(stream);
}

void Server::consume(uint32_t conn, int64_t stream, size_t n) {
  if (Connection* c = find(conn)) c->consume(stream, n);
}

void Server::stop_reading(uint32_t conn, int64_t stream) {
  if (Connection* c = find(conn)) c->stop_reading(stream);
}

void Server::reset(uint32_t conn, int64_t stream) {
  if (Connection* c = find(conn)) c->reset(stream);
}

std::string Server::remote_address(uint32_t conn) const {
  Connection* c = find(conn);
  if (c == nullptr) return "";
  char ip[INET6_ADDRSTRLEN] = "";
  const fa_udp_addr& a = c->remote();
  if (a.sa.sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &a.in6.sin6_addr, ip, sizeof ip);
    if (std::strncmp(ip, "::ffff:", 7) == 0 && std::strchr(ip + 7, '.') != nullptr) return ip + 7;
  } else if (a.sa.sa_family == AF_INET) {
    inet_ntop(AF_INET, &a.in4.sin_addr, ip, sizeof ip);
  }
  return ip;
}

}  // namespace fasterapi::http3
