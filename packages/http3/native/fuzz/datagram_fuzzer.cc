// libFuzzer driver for the HTTP/3 module's datagram entry point (Server::on_datagrams) behind a
// fake engine: the input is a sequence of datagrams, each [peer port byte][length: 2 bytes BE]
// [bytes], delivered in one batch from up to 256 peers; then every armed timer fires once and
// the end-of-turn flush runs. Sends are checked (never larger than the payload limit) and dropped.
#include <arpa/inet.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "../src/h3_server.h"
#include "fasterapi/fake_engine.h"
#include "fuzz_certificate.h"

namespace {

using fasterapi::http3::Embedder;
using fasterapi::http3::Event;
using fasterapi::http3::Options;
using fasterapi::http3::Server;

// The end-of-turn flush is called directly below, so a requested turn hook never runs.
void turn_hook_request(fa_engine*, fa_turn_hook*) {}

int udp_send(fa_udp_endpoint*, const fa_udp_send* messages, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (messages[i].len > FA_UDP_MAX_PAYLOAD_V4) abort();
    if (messages[i].peer.sa.sa_family != AF_INET) abort();
  }
  return FA_UDP_SEND_OK;
}
size_t queued_bytes(fa_udp_endpoint*) { return 0; }
int local_address(fa_udp_endpoint*, fa_udp_addr*) { return -1; }
size_t max_segments(fa_udp_endpoint*) { return FA_UDP_MAX_SEGMENTS; }
void udp_close(fa_udp_endpoint*) {}
fa_engine* endpoint_engine(fa_udp_endpoint*) { return fasterapi::fake::engine_handle(); }

fa_udp_api make_udp() {
  fa_udp_api udp{};
  udp.abi_version = FA_ENGINE_ABI_VERSION;
  udp.size = sizeof udp;
  udp.send = udp_send;
  udp.queued_bytes = queued_bytes;
  udp.local_address = local_address;
  udp.max_segments = max_segments;
  udp.close = udp_close;
  udp.endpoint_engine = endpoint_engine;
  return udp;
}

const fa_udp_api kUdp = make_udp();

fa_engine_api make_api() {
  fa_engine_api api = fasterapi::fake::engine_api();
  api.turn_hook_request = turn_hook_request;
  api.udp = &kUdp;
  return api;
}

const fa_engine_api kApi = make_api();

void deliver(void*, std::vector<Event>& events) {
  for (const Event& e : events) {
    if (e.conn == 0) abort();  // connection ids start at 1
  }
}

fa_udp_addr address(uint16_t port) {
  fa_udp_addr a{};
  a.in4.sin_family = AF_INET;
  a.in4.sin_port = htons(port);
  a.in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Options options;
  options.retry_load_threshold = 2;  // reach the Retry path too
  Server server(&kApi, options, Embedder{nullptr, deliver});
  std::string error;
  if (!server.set_certificate(kFuzzKey, kFuzzCert, &error)) abort();
  fa_udp_endpoint ep{&kApi, nullptr, nullptr};
  server.endpoint_open(&ep);

  std::vector<fa_udp_datagram> batch;
  const fa_udp_addr local = address(443);
  while (size >= 3 && batch.size() < 64) {
    const uint16_t port = static_cast<uint16_t>(1024 + data[0]);
    const size_t len = std::min<size_t>(size - 3, (static_cast<size_t>(data[1]) << 8) | data[2]);
    batch.push_back(fa_udp_datagram{data + 3, len, address(port), local, 0});
    data += 3 + len;
    size -= 3 + len;
  }
  if (!batch.empty()) server.on_datagrams(batch.data(), batch.size());
  fasterapi::fake::fire_armed();
  server.on_shutdown();
  server.flush();
  server.endpoint_closed();
  fasterapi::fake::reset();
  return 0;
}
