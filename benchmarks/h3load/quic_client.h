// The QUIC client set-up shared by h3load and the HTTP/3 abuse test client
// (packages/http3/test/fixtures/h3-abuse): a connected UDP socket, an ngtcp2 client connection
// with the crypto callbacks of ngtcp2_crypto_gnutls, and a GnuTLS session offering ALPN h3.
// The server certificate is not verified (both talk to our own self-signed servers).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>
#include <sys/socket.h>
#include <time.h>

#include <cstring>

namespace quic_client {

inline constexpr const char* kPriority =
    "%DISABLE_TLS13_COMPAT_MODE:NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:"
    "+CHACHA20-POLY1305:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1";

inline ngtcp2_tstamp now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<ngtcp2_tstamp>(ts.tv_sec) * NGTCP2_SECONDS + static_cast<ngtcp2_tstamp>(ts.tv_nsec);
}

inline ngtcp2_path path_of(sockaddr_in& local, sockaddr_in& remote) {
  return {{reinterpret_cast<sockaddr*>(&local), sizeof local}, {reinterpret_cast<sockaddr*>(&remote), sizeof remote},
          nullptr};
}

/** `host` (an IPv4 address) and `port` as a socket address; false if either is not one. */
inline bool ipv4(const char* host, int port, sockaddr_in& out) {
  out = {};
  out.sin_family = AF_INET;
  out.sin_port = htons(static_cast<uint16_t>(port));
  return port > 0 && port < 65536 && inet_pton(AF_INET, host, &out.sin_addr) == 1;
}

/** One QUIC client connection's socket, ngtcp2 connection and TLS session. */
struct Endpoint {
  int fd = -1;
  sockaddr_in local{}, remote{};
  ngtcp2_conn* conn = nullptr;
  gnutls_session_t session = nullptr;
  ngtcp2_crypto_conn_ref ref{};

  ngtcp2_path path() { return path_of(local, remote); }

  /**
   * Feeds every datagram waiting on the socket to ngtcp2: 0, or ngtcp2_conn_read_pkt's first
   * error. With UDP_GRO (see start) one read may return several datagrams of the same size back
   * to back; the control message says how long each is.
   */
  int read_all() {
    uint8_t buf[65536];
    alignas(cmsghdr) uint8_t control[CMSG_SPACE(sizeof(int))];
    for (;;) {
      iovec iov{buf, sizeof buf};
      msghdr msg{};
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control;
      msg.msg_controllen = sizeof control;
      const ssize_t n = recvmsg(fd, &msg, 0);
      if (n <= 0) return 0;
      size_t segment = static_cast<size_t>(n);
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
          int size = 0;
          std::memcpy(&size, CMSG_DATA(c), sizeof size);
          if (size > 0) segment = static_cast<size_t>(size);
        }
      }
      const ngtcp2_path p = path();
      for (size_t at = 0; at < static_cast<size_t>(n); at += segment) {
        const size_t len = static_cast<size_t>(n) - at < segment ? static_cast<size_t>(n) - at : segment;
        ngtcp2_pkt_info pi{};
        const int rv = ngtcp2_conn_read_pkt(conn, &p, &pi, buf + at, len, now());
        if (rv != 0) return rv;
      }
    }
  }
};

/** Fills the callbacks every client needs (handshake crypto, randomness, connection IDs). */
inline void set_crypto_callbacks(ngtcp2_callbacks& cb) {
  cb.client_initial = ngtcp2_crypto_client_initial_cb;
  cb.recv_crypto_data = ngtcp2_crypto_recv_crypto_data_cb;
  cb.encrypt = ngtcp2_crypto_encrypt_cb;
  cb.decrypt = ngtcp2_crypto_decrypt_cb;
  cb.hp_mask = ngtcp2_crypto_hp_mask_cb;
  cb.recv_retry = ngtcp2_crypto_recv_retry_cb;
  cb.update_key = ngtcp2_crypto_update_key_cb;
  cb.delete_crypto_aead_ctx = ngtcp2_crypto_delete_crypto_aead_ctx_cb;
  cb.delete_crypto_cipher_ctx = ngtcp2_crypto_delete_crypto_cipher_ctx_cb;
  cb.get_path_challenge_data = ngtcp2_crypto_get_path_challenge_data_cb;
  cb.version_negotiation = ngtcp2_crypto_version_negotiation_cb;
  cb.rand = [](uint8_t* dest, size_t len, const ngtcp2_rand_ctx*) { gnutls_rnd(GNUTLS_RND_RANDOM, dest, len); };
  cb.get_new_connection_id = [](ngtcp2_conn*, ngtcp2_cid* cid, uint8_t* token, size_t len, void*) {
    gnutls_rnd(GNUTLS_RND_RANDOM, cid->data, len);
    cid->datalen = len;
    gnutls_rnd(GNUTLS_RND_RANDOM, token, NGTCP2_STATELESS_RESET_TOKENLEN);
    return 0;
  };
}

/**
 * Opens a UDP socket connected to `server` and a client connection on it whose TLS session
 * offers ALPN h3; `user_data` is handed to the callbacks. The caller then writes the Initial.
 */
inline bool start(Endpoint& e, const sockaddr_in& server, const ngtcp2_callbacks& cb,
                  const ngtcp2_transport_params& params, gnutls_certificate_credentials_t cred, void* user_data,
                  int rcvbuf) {
  e.remote = server;
  e.fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  if (e.fd < 0 || connect(e.fd, reinterpret_cast<const sockaddr*>(&e.remote), sizeof e.remote) != 0) return false;
  // Root may exceed net.core.rmem_max; others get what the kernel allows.
  if (setsockopt(e.fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0) {
    setsockopt(e.fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  }
  // Like QUIC stacks on Linux (quic-go, msquic): the kernel may hand over a server's
  // GSO train in one read. On loopback that also spares the sending CPU from cutting the train
  // into datagrams for this socket, work that over a real link happens on the client's machine.
  const int one = 1;
  setsockopt(e.fd, SOL_UDP, UDP_GRO, &one, sizeof one);
  socklen_t len = sizeof e.local;
  getsockname(e.fd, reinterpret_cast<sockaddr*>(&e.local), &len);

  ngtcp2_cid dcid, scid;
  dcid.datalen = 18;
  scid.datalen = 18;
  gnutls_rnd(GNUTLS_RND_RANDOM, dcid.data, dcid.datalen);
  gnutls_rnd(GNUTLS_RND_RANDOM, scid.data, scid.datalen);
  ngtcp2_settings settings;
  ngtcp2_settings_default(&settings);
  settings.initial_ts = now();
  const ngtcp2_path path = e.path();
  if (ngtcp2_conn_client_new(&e.conn, &dcid, &scid, &path, NGTCP2_PROTO_VER_V1, &cb, &settings, &params, nullptr,
                             user_data) != 0) {
    return false;
  }
  if (gnutls_init(&e.session, GNUTLS_CLIENT | GNUTLS_NO_END_OF_EARLY_DATA) != 0 ||
      gnutls_priority_set_direct(e.session, kPriority, nullptr) != 0 ||
      ngtcp2_crypto_gnutls_configure_client_session(e.session) != 0 ||
      gnutls_credentials_set(e.session, GNUTLS_CRD_CERTIFICATE, cred) != 0) {
    return false;
  }
  gnutls_datum_t alpn = {reinterpret_cast<unsigned char*>(const_cast<char*>("h3")), 2};
  gnutls_alpn_set_protocols(e.session, &alpn, 1, GNUTLS_ALPN_MANDATORY);
  e.ref.get_conn = [](ngtcp2_crypto_conn_ref* ref) { return static_cast<Endpoint*>(ref->user_data)->conn; };
  e.ref.user_data = &e;
  gnutls_session_set_ptr(e.session, &e.ref);
  ngtcp2_conn_set_tls_native_handle(e.conn, e.session);
  return true;
}

}  // namespace quic_client
