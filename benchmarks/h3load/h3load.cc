// h3load: an HTTP/3 load generator on ngtcp2 + nghttp3 + GnuTLS (Debian's h2load has no HTTP/3).
// C connections, each keeping S requests in flight on its own streams, for a warm-up and then a
// measured period, on one thread (pin it with taskset). Prints one JSON line:
// { requests, bytes, seconds, requestsPerSec, bytesPerSec, p50Ms, p99Ms, errors, cpuPercent }, where
// cpuPercent is h3load's own CPU time over the measured period (near 100: h3load is the limit).
// Usage: h3load --host 127.0.0.1 --port N --path /ping [--connections 8] [--streams 16]
//               [--duration 10] [--warmup 2]
// The server certificate is not verified (benchmarks run against our own self-signed one).
#include <nghttp3/nghttp3.h>
#include <poll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "quic_client.h"

namespace {

using quic_client::now;

/** User + system CPU time of this process, microseconds. */
uint64_t cpu_us() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<uint64_t>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
         static_cast<uint64_t>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

struct Config {
  std::string host = "127.0.0.1", path = "/ping";
  int port = 0, connections = 8, streams = 16;
  double duration = 10, warmup = 2;
};

struct Totals {
  uint64_t requests = 0, bytes = 0, errors = 0;
  std::vector<uint32_t> latencies_us;
  bool measuring = false;
};

Config config;
Totals totals;
gnutls_certificate_credentials_t cred;

class Client {
 public:
  bool start(const sockaddr_in& server);
  void on_readable();
  void write();
  void on_expiry();
  ngtcp2_tstamp expiry() const { return e_.conn == nullptr || dead_ ? UINT64_MAX : ngtcp2_conn_get_expiry(e_.conn); }
  int fd() const { return e_.fd; }
  bool dead() const { return dead_; }

 private:
  friend struct Cb;
  bool setup_http3();
  void submit_requests();
  void fail() {
    dead_ = true;
    totals.errors++;
  }

  quic_client::Endpoint e_;
  nghttp3_conn* h3_ = nullptr;
  std::map<int64_t, ngtcp2_tstamp> started_;
  bool dead_ = false;
};

struct Cb {
  static Client* of(void* p) { return static_cast<Client*>(p); }
  static int handshake_completed(ngtcp2_conn*, void* ud) {
    Client* c = of(ud);
    if (!c->setup_http3()) return NGTCP2_ERR_CALLBACK_FAILURE;
    c->submit_requests();
    return 0;
  }
  static int recv_stream_data(ngtcp2_conn* conn, uint32_t flags, int64_t id, uint64_t, const uint8_t* data,
                              size_t len, void* ud, void*) {
    Client* c = of(ud);
    const nghttp3_ssize n = nghttp3_conn_read_stream(c->h3_, id, data, len, (flags & NGTCP2_STREAM_DATA_FLAG_FIN) != 0);
    if (n < 0) return NGTCP2_ERR_CALLBACK_FAILURE;
    ngtcp2_conn_extend_max_stream_offset(conn, id, static_cast<uint64_t>(n));
    ngtcp2_conn_extend_max_offset(conn, static_cast<uint64_t>(n));
    return 0;
  }
  static int acked(ngtcp2_conn*, int64_t id, uint64_t, uint64_t len, void* ud, void*) {
    return nghttp3_conn_add_ack_offset(of(ud)->h3_, id, len) == 0 ? 0 : NGTCP2_ERR_CALLBACK_FAILURE;
  }
  static int stream_close(ngtcp2_conn*, uint32_t flags, int64_t id, uint64_t code, void* ud, void*) {
    Client* c = of(ud);
    if (!(flags & NGTCP2_STREAM_CLOSE_FLAG_APP_ERROR_CODE_SET)) code = NGHTTP3_H3_NO_ERROR;
    if (c->h3_ != nullptr) {
      const int rv = nghttp3_conn_close_stream(c->h3_, id, code);
      if (rv != 0 && rv != NGHTTP3_ERR_STREAM_NOT_FOUND) return NGTCP2_ERR_CALLBACK_FAILURE;
    }
    return 0;
  }
  static int stream_reset(ngtcp2_conn*, int64_t id, uint64_t, uint64_t, void* ud, void*) {
    return nghttp3_conn_shutdown_stream_read(of(ud)->h3_, id) == 0 ? 0 : NGTCP2_ERR_CALLBACK_FAILURE;
  }
  static int stop_sending(ngtcp2_conn* conn, int64_t id, uint64_t code, void* ud, void* sud) {
    return stream_reset(conn, id, 0, code, ud, sud);
  }
  static int extend_streams(ngtcp2_conn*, uint64_t, void* ud) {
    of(ud)->submit_requests();
    return 0;
  }
  static int extend_data(ngtcp2_conn*, int64_t id, uint64_t, void* ud, void*) {
    return nghttp3_conn_unblock_stream(of(ud)->h3_, id) == 0 ? 0 : NGTCP2_ERR_CALLBACK_FAILURE;
  }
  // nghttp3
  static int h3_recv_data(nghttp3_conn*, int64_t id, const uint8_t*, size_t len, void* ud, void*) {
    Client* c = of(ud);
    if (totals.measuring) totals.bytes += len;
    ngtcp2_conn_extend_max_stream_offset(c->e_.conn, id, len);
    ngtcp2_conn_extend_max_offset(c->e_.conn, len);
    return 0;
  }
  static int h3_deferred(nghttp3_conn*, int64_t id, size_t n, void* ud, void*) {
    Client* c = of(ud);
    ngtcp2_conn_extend_max_stream_offset(c->e_.conn, id, n);
    ngtcp2_conn_extend_max_offset(c->e_.conn, n);
    return 0;
  }
  static int h3_end_stream(nghttp3_conn*, int64_t id, void* ud, void*) {
    Client* c = of(ud);
    auto it = c->started_.find(id);
    if (it == c->started_.end()) return 0;
    if (totals.measuring) {
      totals.requests++;
      totals.latencies_us.push_back(static_cast<uint32_t>((now() - it->second) / 1000));
    }
    c->started_.erase(it);
    return 0;
  }
  static int h3_stream_close(nghttp3_conn*, int64_t id, uint64_t, void* ud, void*) {
    Client* c = of(ud);
    if (c->started_.erase(id) > 0) totals.errors++;  // closed before its response ended
    c->submit_requests();
    return 0;
  }
  static int h3_stop_sending(nghttp3_conn*, int64_t id, uint64_t code, void* ud, void*) {
    ngtcp2_conn_shutdown_stream_read(of(ud)->e_.conn, id, code);
    return 0;
  }
  static int h3_reset(nghttp3_conn*, int64_t id, uint64_t code, void* ud, void*) {
    ngtcp2_conn_shutdown_stream_write(of(ud)->e_.conn, id, code);
    return 0;
  }
};

bool Client::start(const sockaddr_in& server) {
  ngtcp2_callbacks cb{};
  quic_client::set_crypto_callbacks(cb);
  cb.handshake_completed = Cb::handshake_completed;
  cb.recv_stream_data = Cb::recv_stream_data;
  cb.acked_stream_data_offset = Cb::acked;
  cb.stream_close = Cb::stream_close;
  cb.stream_reset = Cb::stream_reset;
  cb.stream_stop_sending = Cb::stop_sending;
  cb.extend_max_local_streams_bidi = Cb::extend_streams;
  cb.extend_max_stream_data = Cb::extend_data;

  ngtcp2_transport_params params;
  ngtcp2_transport_params_default(&params);
  params.initial_max_streams_uni = 3;
  params.initial_max_stream_data_bidi_local = 8 * 1024 * 1024;
  params.initial_max_stream_data_uni = 1024 * 1024;
  params.initial_max_data = 64 * 1024 * 1024;
  params.max_idle_timeout = 30 * NGTCP2_SECONDS;
  // A download arrives in bursts of GSO trains; the default ~200 KiB receive buffer overflows
  // whenever h3load is not scheduled for a moment, and every drop halves a congestion window.
  // Browsers ask for more too (Chromium: 1 MiB).
  if (!quic_client::start(e_, server, cb, params, cred, this, 4 * 1024 * 1024)) return false;
  write();
  return true;
}

bool Client::setup_http3() {
  nghttp3_callbacks cb{};
  cb.recv_data = Cb::h3_recv_data;
  cb.deferred_consume = Cb::h3_deferred;
  cb.end_stream = Cb::h3_end_stream;
  cb.stream_close = Cb::h3_stream_close;
  cb.stop_sending = Cb::h3_stop_sending;
  cb.reset_stream = Cb::h3_reset;
  nghttp3_settings settings;
  nghttp3_settings_default(&settings);
  if (nghttp3_conn_client_new(&h3_, &cb, &settings, nullptr, this) != 0) return false;
  int64_t control, enc, dec;
  return ngtcp2_conn_open_uni_stream(e_.conn, &control, nullptr) == 0 &&
         nghttp3_conn_bind_control_stream(h3_, control) == 0 &&
         ngtcp2_conn_open_uni_stream(e_.conn, &enc, nullptr) == 0 &&
         ngtcp2_conn_open_uni_stream(e_.conn, &dec, nullptr) == 0 && nghttp3_conn_bind_qpack_streams(h3_, enc, dec) == 0;
}

nghttp3_nv nv(const char* name, const std::string& value) {
  return {reinterpret_cast<uint8_t*>(const_cast<char*>(name)),
          reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), strlen(name), value.size(),
          NGHTTP3_NV_FLAG_NONE};
}

void Client::submit_requests() {
  if (h3_ == nullptr || dead_) return;
  static const std::string method = "GET", scheme = "https";
  const std::string authority = config.host + ":" + std::to_string(config.port);
  while (static_cast<int>(started_.size()) < config.streams) {
    int64_t id;
    if (ngtcp2_conn_open_bidi_stream(e_.conn, &id, nullptr) != 0) return;  // wait for MAX_STREAMS
    const nghttp3_nv head[] = {nv(":method", method), nv(":scheme", scheme), nv(":authority", authority),
                               nv(":path", config.path)};
    if (nghttp3_conn_submit_request(h3_, id, head, 4, nullptr, nullptr) != 0) {
      fail();
      return;
    }
    started_[id] = now();
  }
}

void Client::on_readable() {
  if (e_.read_all() != 0) return fail();
  write();
}

void Client::write() {
  if (dead_) return;
  uint8_t buf[1500];
  ngtcp2_path_storage ps;
  ngtcp2_path_storage_zero(&ps);
  ngtcp2_pkt_info pi{};
  const ngtcp2_tstamp ts = now();
  for (int packets = 0; packets < 64;) {
    int64_t stream_id = -1;
    int fin = 0;
    nghttp3_vec vec[16];
    nghttp3_ssize veccnt = 0;
    if (h3_ != nullptr && ngtcp2_conn_get_max_data_left(e_.conn) > 0) {
      veccnt = nghttp3_conn_writev_stream(h3_, &stream_id, &fin, vec, 16);
      if (veccnt < 0) return fail();
    }
    ngtcp2_ssize datalen = -1;
    const uint32_t flags = NGTCP2_WRITE_STREAM_FLAG_MORE | (fin ? NGTCP2_WRITE_STREAM_FLAG_FIN : 0);
    const ngtcp2_ssize n = ngtcp2_conn_writev_stream(e_.conn, &ps.path, &pi, buf, sizeof buf, &datalen, flags,
                                                     stream_id, reinterpret_cast<const ngtcp2_vec*>(vec),
                                                     static_cast<size_t>(veccnt), ts);
    if (n < 0) {
      if (n == NGTCP2_ERR_STREAM_DATA_BLOCKED) {
        nghttp3_conn_block_stream(h3_, stream_id);
        continue;
      }
      if (n == NGTCP2_ERR_STREAM_SHUT_WR) {
        nghttp3_conn_shutdown_stream_write(h3_, stream_id);
        continue;
      }
      if (n == NGTCP2_ERR_WRITE_MORE) {
        nghttp3_conn_add_write_offset(h3_, stream_id, static_cast<size_t>(datalen));
        continue;
      }
      return fail();
    }
    if (datalen >= 0 && stream_id >= 0) nghttp3_conn_add_write_offset(h3_, stream_id, static_cast<size_t>(datalen));
    if (n == 0) break;
    send(e_.fd, buf, static_cast<size_t>(n), 0);
    packets++;
  }
  ngtcp2_conn_update_pkt_tx_time(e_.conn, ts);
}

void Client::on_expiry() {
  if (ngtcp2_conn_handle_expiry(e_.conn, now()) != 0) return fail();
  write();
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--host") config.host = value;
    else if (key == "--port") config.port = std::atoi(value.c_str());
    else if (key == "--path") config.path = value;
    else if (key == "--connections") config.connections = std::atoi(value.c_str());
    else if (key == "--streams") config.streams = std::atoi(value.c_str());
    else if (key == "--duration") config.duration = std::atof(value.c_str());
    else if (key == "--warmup") config.warmup = std::atof(value.c_str());
    else {
      std::fprintf(stderr, "h3load: unknown option %s\n", key.c_str());
      return 2;
    }
  }
  sockaddr_in server;
  if (!quic_client::ipv4(config.host.c_str(), config.port, server)) {
    std::fprintf(stderr, "h3load: --host must be an IPv4 address and --port a port\n");
    return 2;
  }
  gnutls_certificate_allocate_credentials(&cred);
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < config.connections; i++) {
    clients.push_back(std::make_unique<Client>());
    if (!clients.back()->start(server)) {
      std::fprintf(stderr, "h3load: could not start connection %d\n", i);
      return 1;
    }
  }
  const ngtcp2_tstamp begin = now();
  const ngtcp2_tstamp measure_from = begin + static_cast<ngtcp2_tstamp>(config.warmup * NGTCP2_SECONDS);
  const ngtcp2_tstamp end = measure_from + static_cast<ngtcp2_tstamp>(config.duration * NGTCP2_SECONDS);
  std::vector<pollfd> fds(clients.size());
  uint64_t cpu_from = 0;
  for (ngtcp2_tstamp t = now(); t < end; t = now()) {
    if (!totals.measuring && t >= measure_from) {
      totals.measuring = true;
      cpu_from = cpu_us();
    }
    ngtcp2_tstamp next = end;
    for (size_t i = 0; i < clients.size(); i++) {
      fds[i] = {clients[i]->fd(), POLLIN, 0};
      next = std::min(next, clients[i]->expiry());
    }
    const int timeout_ms = next > t ? static_cast<int>((next - t) / NGTCP2_MILLISECONDS) : 0;
    poll(fds.data(), fds.size(), timeout_ms);
    const ngtcp2_tstamp after = now();
    for (size_t i = 0; i < clients.size(); i++) {
      Client& c = *clients[i];
      if (c.dead()) continue;
      if (fds[i].revents & POLLIN) c.on_readable();
      if (!c.dead() && c.expiry() <= after) c.on_expiry();
    }
  }
  const double cpu_percent = static_cast<double>(cpu_us() - cpu_from) / (config.duration * 1e4);
  std::sort(totals.latencies_us.begin(), totals.latencies_us.end());
  auto pct = [](double p) {
    if (totals.latencies_us.empty()) return 0.0;
    return totals.latencies_us[static_cast<size_t>(p * (totals.latencies_us.size() - 1))] / 1000.0;
  };
  std::printf(
      "{\"requests\":%llu,\"bytes\":%llu,\"seconds\":%.3f,\"requestsPerSec\":%.1f,\"bytesPerSec\":%.1f,"
      "\"p50Ms\":%.3f,\"p99Ms\":%.3f,\"errors\":%llu,\"cpuPercent\":%.1f}\n",
      static_cast<unsigned long long>(totals.requests), static_cast<unsigned long long>(totals.bytes), config.duration,
      totals.requests / config.duration, totals.bytes / config.duration, pct(0.5), pct(0.99),
      static_cast<unsigned long long>(totals.errors), cpu_percent);
  return totals.errors > 0 && totals.requests == 0 ? 1 : 0;
}
