// One QUIC + HTTP/3 connection (see h3_connection.h). The callbacks follow ngtcp2's and
// nghttp3's own server examples: ngtcp2 hands stream bytes to nghttp3, nghttp3 hands back what
// it consumed (flow control) and asks for response bytes through read_data.
#include "h3_connection.h"

#include <ngtcp2/ngtcp2_crypto_gnutls.h>
#include <time.h>

#include <algorithm>
#include <cstring>

namespace fasterapi::http3 {

namespace {

constexpr size_t kHighWater = 256 * 1024;  // streamed response bytes queued before write() says wait
constexpr size_t kLowWater = 64 * 1024;
constexpr size_t kCidLen = 18;
constexpr const char* kPriority =
    "%DISABLE_TLS13_COMPAT_MODE:NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:"
    "+CHACHA20-POLY1305:+AES-128-CCM:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1";

ngtcp2_tstamp now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<ngtcp2_tstamp>(ts.tv_sec) * NGTCP2_SECONDS + static_cast<ngtcp2_tstamp>(ts.tv_nsec);
}

ngtcp2_socklen addr_len(const fa_udp_addr& a) {
  return a.sa.sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
}

void random_bytes(uint8_t* dest, size_t len) { gnutls_rnd(GNUTLS_RND_RANDOM, dest, len); }

std::string cid_key(const ngtcp2_cid& cid) { return {reinterpret_cast<const char*>(cid.data), cid.datalen}; }

nghttp3_nv nv(std::string_view name, std::string_view value) {
  return {reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
          NGHTTP3_NV_FLAG_NONE};
}

bool status_has_no_content(uint32_t status) { return status < 200 || status == 204 || status == 304; }

}  // namespace

Connection* conn_of(void* user_data) { return static_cast<Connection*>(user_data); }

// ngtcp2 and nghttp3 callbacks, friends of Connection.
struct Callbacks {
  // ---- ngtcp2 ----
  static int recv_stream_data(ngtcp2_conn* conn, uint32_t flags, int64_t stream_id, uint64_t /*offset*/,
                              const uint8_t* data, size_t datalen, void* user_data, void* /*sud*/) {
    Connection* c = conn_of(user_data);
    if (c->h3_ == nullptr && !c->setup_http3()) return NGTCP2_ERR_CALLBACK_FAILURE;
    const nghttp3_ssize consumed =
        nghttp3_conn_read_stream(c->h3_, stream_id, data, datalen, (flags & NGTCP2_STREAM_DATA_FLAG_FIN) != 0);
    if (consumed < 0) {
      ngtcp2_connection_close_error_set_application_error(
          &c->ccerr_, nghttp3_err_infer_quic_app_error_code(static_cast<int>(consumed)), nullptr, 0);
      return NGTCP2_ERR_CALLBACK_FAILURE;
    }
    ngtcp2_conn_extend_max_stream_offset(conn, stream_id, static_cast<uint64_t>(consumed));
    ngtcp2_conn_extend_max_offset(conn, static_cast<uint64_t>(consumed));
    return 0;
  }

  static int acked_stream_data_offset(ngtcp2_conn* /*conn*/, int64_t stream_id, uint64_t /*offset*/,
                                      uint64_t datalen, void* user_data, void* /*sud*/) {
    Connection* c = conn_of(user_data);
    if (c->h3_ != nullptr && nghttp3_conn_add_ack_offset(c->h3_, stream_id, datalen) != 0) {
      return NGTCP2_ERR_CALLBACK_FAILURE;
    }
    return 0;
  }

  static int stream_close(ngtcp2_conn* conn, uint32_t flags, int64_t stream_id, uint64_t app_error_code,
                          void* user_data, void* /*sud*/) {
    Connection* c = conn_of(user_data);
    if ((flags & NGTCP2_STREAM_CLOSE_FLAG_APP_ERROR_CODE_SET) == 0) app_error_code = NGHTTP3_H3_NO_ERROR;
    if (c->h3_ != nullptr) {
      const int rv = nghttp3_conn_close_stream(c->h3_, stream_id, app_error_code);
      if (rv == 0) return 0;  // nghttp3's stream_close did the rest
      if (rv != NGHTTP3_ERR_STREAM_NOT_FOUND) return NGTCP2_ERR_CALLBACK_FAILURE;
    }
    if (ngtcp2_is_bidi_stream(stream_id)) ngtcp2_conn_extend_max_streams_bidi(conn, 1);
    c->end_of_stream(stream_id, app_error_code);
    return 0;
  }

  static int stream_reset(ngtcp2_conn* /*conn*/, int64_t stream_id, uint64_t /*final_size*/,
                          uint64_t /*app_error_code*/, void* user_data, void* /*sud*/) {
    Connection* c = conn_of(user_data);
    if (c->h3_ != nullptr && nghttp3_conn_shutdown_stream_read(c->h3_, stream_id) != 0) {
      return NGTCP2_ERR_CALLBACK_FAILURE;
    }
    return 0;
  }

  static int stream_stop_sending(ngtcp2_conn* conn, int64_t stream_id, uint64_t app_error_code,
                                 void* user_data, void* sud) {
    return stream_reset(conn, stream_id, 0, app_error_code, user_data, sud);
  }

  static int extend_max_remote_streams_bidi(ngtcp2_conn* /*conn*/, uint64_t max_streams, void* user_data) {
    Connection* c = conn_of(user_data);
    if (c->h3_ != nullptr) nghttp3_conn_set_max_client_streams_bidi(c->h3_, max_streams);
    return 0;
  }

  static int extend_max_stream_data(ngtcp2_conn* /*conn*/, int64_t stream_id, uint64_t /*max_data*/,
                                    void* user_data, void* /*sud*/) {
    Connection* c = conn_of(user_data);
    if (c->h3_ != nullptr && nghttp3_conn_unblock_stream(c->h3_, stream_id) != 0) {
      return NGTCP2_ERR_CALLBACK_FAILURE;
    }
    return 0;
  }

  static void rand(uint8_t* dest, size_t destlen, const ngtcp2_rand_ctx* /*ctx*/) { random_bytes(dest, destlen); }

  static int get_new_connection_id(ngtcp2_conn* /*conn*/, ngtcp2_cid* cid, uint8_t* token, size_t cidlen,
                                   void* user_data) {
    Connection* c = conn_of(user_data);
    random_bytes(cid->data, cidlen);
    cid->datalen = cidlen;
    if (ngtcp2_crypto_generate_stateless_reset_token(token, c->server_->secret(), c->server_->secret_len(), cid) !=
        0) {
      return NGTCP2_ERR_CALLBACK_FAILURE;
    }
    c->cids_.push_back(cid_key(*cid));
    c->server_->register_cid(cid->data, cid->datalen, c);
    return 0;
  }

  static int remove_connection_id(ngtcp2_conn* /*conn*/, const ngtcp2_cid* cid, void* user_data) {
    Connection* c = conn_of(user_data);
    const std::string key = cid_key(*cid);
    c->cids_.erase(std::remove(c->cids_.begin(), c->cids_.end(), key), c->cids_.end());
    c->server_->unregister_cid(cid->data, cid->datalen);
    return 0;
  }

  static int handshake_completed(ngtcp2_conn* /*conn*/, void* user_data) {
    Connection* c = conn_of(user_data);
    c->server_->mutable_stats().connections++;
    return c->h3_ != nullptr || c->setup_http3() ? 0 : NGTCP2_ERR_CALLBACK_FAILURE;
  }

  // ---- nghttp3 ----
  static int h3_acked_stream_data(nghttp3_conn* /*h3*/, int64_t stream_id, uint64_t datalen, void* user_data,
                                  void* /*sud*/) {
    Connection* c = conn_of(user_data);
    Stream* s = c->stream(stream_id);
    if (s == nullptr) return 0;
    s->acked_in_front += datalen;
    while (!s->all_acked() && s->acked_in_front >= s->chunks[s->acked].size()) {
      std::vector<uint8_t>& front = s->chunks[s->acked++];
      s->acked_in_front -= front.size();
      s->buffered -= front.size();
      std::vector<uint8_t>().swap(front);
    }
    if (s->acked >= 64 && 2 * s->acked >= s->chunks.size()) {  // a long stream: drop the freed front
      s->chunks.erase(s->chunks.begin(), s->chunks.begin() + static_cast<std::ptrdiff_t>(s->acked));
      s->handed -= s->acked;
      s->acked = 0;
    }
    if (s->writer_waiting && s->buffered < kLowWater) {
      s->writer_waiting = false;
      c->server_->queue(Event{EventKind::kDrain, false, c->id_, stream_id, {}, {}, {}, {}});
    }
    return 0;
  }

  static int h3_stream_close(nghttp3_conn* /*h3*/, int64_t stream_id, uint64_t app_error_code, void* user_data,
                             void* /*sud*/) {
    Connection* c = conn_of(user_data);
    if (ngtcp2_is_bidi_stream(stream_id)) ngtcp2_conn_extend_max_streams_bidi(c->conn_, 1);
    c->end_of_stream(stream_id, app_error_code);
    return 0;
  }

  static int h3_recv_data(nghttp3_conn* /*h3*/, int64_t stream_id, const uint8_t* data, size_t datalen,
                          void* user_data, void* /*sud*/) {
    Connection* c = conn_of(user_data);
    Stream* s = c->stream(stream_id);
    if (s == nullptr || s->headers_too_large) {  // nobody reads it: give the credit back now
      ngtcp2_conn_extend_max_stream_offset(c->conn_, stream_id, datalen);
      ngtcp2_conn_extend_max_offset(c->conn_, datalen);
      return 0;
    }
    s->unconsumed += datalen;
    c->server_->queue(
        Event{EventKind::kBody, false, c->id_, stream_id, {}, {}, {}, std::vector<uint8_t>(data, data + datalen)});
    return 0;
  }

  static int h3_deferred_consume(nghttp3_conn* /*h3*/, int64_t stream_id, size_t consumed, void* user_data,
                                 void* /*sud*/) {
    Connection* c = conn_of(user_data);
    ngtcp2_conn_extend_max_stream_offset(c->conn_, stream_id, consumed);
    ngtcp2_conn_extend_max_offset(c->conn_, consumed);
    return 0;
  }

  static int h3_begin_headers(nghttp3_conn* /*h3*/, int64_t stream_id, void* user_data, void* /*sud*/) {
    Connection* c = conn_of(user_data);
    Stream& s = c->streams_[stream_id];
    s.id = stream_id;
    return 0;
  }

  static int h3_recv_header(nghttp3_conn* /*h3*/, int64_t stream_id, int32_t /*token*/, nghttp3_rcbuf* name,
                            nghttp3_rcbuf* value, uint8_t /*flags*/, void* user_data, void* /*sud*/) {
    Connection* c = conn_of(user_data);
    Stream* s = c->stream(stream_id);
    if (s == nullptr || s->headers_too_large) return 0;
    const nghttp3_vec n = nghttp3_rcbuf_get_buf(name);
    const nghttp3_vec v = nghttp3_rcbuf_get_buf(value);
    s->header_bytes += n.len + v.len + 32;  // RFC 9114 4.2.2's field size
    if (s->header_bytes > c->server_->options().max_header_bytes) {
      s->headers_too_large = true;
      return 0;
    }
    const std::string_view key(reinterpret_cast<const char*>(n.base), n.len);
    const std::string_view val(reinterpret_cast<const char*>(v.base), v.len);
    if (key == ":method") {
      s->method = val;
    } else if (key == ":path") {
      s->path = val;
    } else if (key == ":authority") {
      s->authority = val;
    } else if (!key.empty() && key[0] != ':') {
      s->headers.append(key).push_back('\0');
      s->headers.append(val).push_back('\0');
    }
    return 0;
  }

  static int h3_end_headers(nghttp3_conn* /*h3*/, int64_t stream_id, int fin, void* user_data, void* /*sud*/) {
    Connection* c = conn_of(user_data);
    Stream* s = c->stream(stream_id);
    if (s == nullptr) return 0;
    if (fin) s->request_done = true;
    if (s->headers_too_large) {
      c->respond_too_large(*s);
      return 0;
    }
    if (!s->authority.empty() && s->headers.find(std::string_view("host\0", 5)) != 0 &&
        s->headers.find(std::string_view("\0host\0", 6)) == std::string::npos) {
      s->headers.append("host").push_back('\0');
      s->headers.append(s->authority).push_back('\0');
    }
    c->server_->mutable_stats().requests++;
    c->server_->queue(Event{EventKind::kRequest, fin == 0, c->id_, stream_id, std::move(s->method),
                            std::move(s->path), std::move(s->headers), {}});
    return 0;
  }

  static int h3_end_stream(nghttp3_conn* /*h3*/, int64_t stream_id, void* user_data, void* /*sud*/) {
    Connection* c = conn_of(user_data);
    Stream* s = c->stream(stream_id);
    if (s == nullptr || s->headers_too_large) return 0;
    const bool body_expected = !s->request_done;  // FIN after the HEADERS frame's own stream end
    s->request_done = true;
    if (body_expected) c->server_->queue(Event{EventKind::kBody, true, c->id_, stream_id, {}, {}, {}, {}});
    return 0;
  }

  static int h3_stop_sending(nghttp3_conn* /*h3*/, int64_t stream_id, uint64_t app_error_code, void* user_data,
                             void* /*sud*/) {
    Connection* c = conn_of(user_data);
    ngtcp2_conn_shutdown_stream_read(c->conn_, stream_id, app_error_code);
    return 0;
  }

  static int h3_reset_stream(nghttp3_conn* /*h3*/, int64_t stream_id, uint64_t app_error_code, void* user_data,
                             void* /*sud*/) {
    Connection* c = conn_of(user_data);
    ngtcp2_conn_shutdown_stream_write(c->conn_, stream_id, app_error_code);
    return 0;
  }

  static nghttp3_ssize h3_read_data(nghttp3_conn* /*h3*/, int64_t stream_id, nghttp3_vec* vec, size_t veccnt,
                                    uint32_t* pflags, void* user_data, void* /*sud*/) {
    Connection* c = conn_of(user_data);
    Stream* s = c->stream(stream_id);
    if (s == nullptr) {
      *pflags |= NGHTTP3_DATA_FLAG_EOF;
      return 0;
    }
    size_t n = 0;
    while (s->handed < s->chunks.size() && n < veccnt) {
      std::vector<uint8_t>& chunk = s->chunks[s->handed++];
      vec[n++] = nghttp3_vec{chunk.data(), chunk.size()};
    }
    if (s->handed == s->chunks.size() && s->response_eof) {
      *pflags |= NGHTTP3_DATA_FLAG_EOF;
    } else if (n == 0) {
      return NGHTTP3_ERR_WOULDBLOCK;
    }
    return static_cast<nghttp3_ssize>(n);
  }
};

Connection::Connection(Server* server, uint32_t id) : server_(server), id_(id) {
  server_->api()->timer_init(server_->engine(), &timer_, on_timer, this);
}

Connection::~Connection() {
  server_->api()->timer_stop(&timer_);
  for (const std::string& cid : cids_) {
    server_->unregister_cid(reinterpret_cast<const uint8_t*>(cid.data()), cid.size());
  }
  if (h3_ != nullptr) nghttp3_conn_del(h3_);
  if (conn_ != nullptr) ngtcp2_conn_del(conn_);
  if (session_ != nullptr) gnutls_deinit(session_);
}

ngtcp2_conn* Connection::get_conn(ngtcp2_crypto_conn_ref* ref) {
  return static_cast<Connection*>(ref->user_data)->conn_;
}

bool Connection::init(const ngtcp2_pkt_hd& hd, const ngtcp2_cid* odcid, const fa_udp_datagram& d) {
  const Options& o = server_->options();
  local_ = d.local;
  remote_ = d.peer;

  ngtcp2_callbacks cb{};
  cb.recv_client_initial = ngtcp2_crypto_recv_client_initial_cb;
  cb.recv_crypto_data = ngtcp2_crypto_recv_crypto_data_cb;
  cb.encrypt = ngtcp2_crypto_encrypt_cb;
  cb.decrypt = ngtcp2_crypto_decrypt_cb;
  cb.hp_mask = ngtcp2_crypto_hp_mask_cb;
  cb.update_key = ngtcp2_crypto_update_key_cb;
  cb.delete_crypto_aead_ctx = ngtcp2_crypto_delete_crypto_aead_ctx_cb;
  cb.delete_crypto_cipher_ctx = ngtcp2_crypto_delete_crypto_cipher_ctx_cb;
  cb.get_path_challenge_data = ngtcp2_crypto_get_path_challenge_data_cb;
  cb.version_negotiation = ngtcp2_crypto_version_negotiation_cb;
  cb.handshake_completed = Callbacks::handshake_completed;
  cb.recv_stream_data = Callbacks::recv_stream_data;
  cb.acked_stream_data_offset = Callbacks::acked_stream_data_offset;
  cb.stream_close = Callbacks::stream_close;
  cb.stream_reset = Callbacks::stream_reset;
  cb.stream_stop_sending = Callbacks::stream_stop_sending;
  cb.extend_max_remote_streams_bidi = Callbacks::extend_max_remote_streams_bidi;
  cb.extend_max_stream_data = Callbacks::extend_max_stream_data;
  cb.rand = Callbacks::rand;
  cb.get_new_connection_id = Callbacks::get_new_connection_id;
  cb.remove_connection_id = Callbacks::remove_connection_id;

  ngtcp2_settings settings;
  ngtcp2_settings_default(&settings);
  settings.initial_ts = now();
  settings.cc_algo = NGTCP2_CC_ALGO_CUBIC;
  settings.max_window = o.connection_window;
  settings.max_stream_window = o.stream_window;
  settings.handshake_timeout = 10 * NGTCP2_SECONDS;

  ngtcp2_transport_params params;
  ngtcp2_transport_params_default(&params);
  params.initial_max_stream_data_bidi_remote = o.stream_window;
  params.initial_max_stream_data_uni = 64 * 1024;
  params.initial_max_data = o.connection_window;
  params.initial_max_streams_bidi = o.max_streams;
  params.initial_max_streams_uni = 3;
  params.max_idle_timeout = o.idle_timeout_ms * NGTCP2_MILLISECONDS;
  params.active_connection_id_limit = 7;
  params.original_dcid = odcid != nullptr ? *odcid : hd.dcid;
  if (odcid != nullptr) {
    params.retry_scid = hd.dcid;
    params.retry_scid_present = 1;
  }

  ngtcp2_cid scid;
  scid.datalen = kCidLen;
  random_bytes(scid.data, kCidLen);
  params.stateless_reset_token_present = 1;
  if (ngtcp2_crypto_generate_stateless_reset_token(params.stateless_reset_token, server_->secret(),
                                                   server_->secret_len(), &scid) != 0) {
    return false;
  }

  const ngtcp2_path p = path();
  if (ngtcp2_conn_server_new(&conn_, &hd.scid, &scid, &p, hd.version, &cb, &settings, &params, nullptr, this) != 0) {
    return false;
  }

  if (gnutls_init(&session_, GNUTLS_SERVER | GNUTLS_NO_AUTO_SEND_TICKET | GNUTLS_NO_END_OF_EARLY_DATA) != 0 ||
      gnutls_priority_set_direct(session_, kPriority, nullptr) != 0 ||
      ngtcp2_crypto_gnutls_configure_server_session(session_) != 0 ||
      gnutls_credentials_set(session_, GNUTLS_CRD_CERTIFICATE, server_->credentials()) != 0) {
    return false;
  }
  gnutls_datum_t alpn = {reinterpret_cast<unsigned char*>(const_cast<char*>("h3")), 2};
  if (gnutls_alpn_set_protocols(session_, &alpn, 1, GNUTLS_ALPN_MANDATORY) != 0) return false;
  conn_ref_.get_conn = get_conn;
  conn_ref_.user_data = this;
  gnutls_session_set_ptr(session_, &conn_ref_);
  ngtcp2_conn_set_tls_native_handle(conn_, session_);

  for (const ngtcp2_cid* cid : {static_cast<const ngtcp2_cid*>(&scid), &hd.dcid}) {
    cids_.push_back(cid_key(*cid));
    server_->register_cid(cid->data, cid->datalen, this);
  }
  return true;
}

ngtcp2_path Connection::path() {
  return ngtcp2_path{{&local_.sa, addr_len(local_)}, {&remote_.sa, addr_len(remote_)}, nullptr};
}

bool Connection::setup_http3() {
  if (ngtcp2_conn_get_streams_uni_left(conn_) < 3) return false;
  const Options& o = server_->options();
  nghttp3_callbacks cb{};
  cb.acked_stream_data = Callbacks::h3_acked_stream_data;
  cb.stream_close = Callbacks::h3_stream_close;
  cb.recv_data = Callbacks::h3_recv_data;
  cb.deferred_consume = Callbacks::h3_deferred_consume;
  cb.begin_headers = Callbacks::h3_begin_headers;
  cb.recv_header = Callbacks::h3_recv_header;
  cb.end_headers = Callbacks::h3_end_headers;
  cb.end_stream = Callbacks::h3_end_stream;
  cb.stop_sending = Callbacks::h3_stop_sending;
  cb.reset_stream = Callbacks::h3_reset_stream;
  nghttp3_settings settings;
  nghttp3_settings_default(&settings);
  settings.max_field_section_size = o.max_header_bytes;
  settings.qpack_max_dtable_capacity = o.qpack_table_capacity;
  settings.qpack_blocked_streams = o.qpack_blocked_streams;
  if (nghttp3_conn_server_new(&h3_, &cb, &settings, nullptr, this) != 0) return false;
  nghttp3_conn_set_max_client_streams_bidi(h3_, o.max_streams);
  int64_t control, encoder, decoder;
  return ngtcp2_conn_open_uni_stream(conn_, &control, nullptr) == 0 &&
         nghttp3_conn_bind_control_stream(h3_, control) == 0 &&
         ngtcp2_conn_open_uni_stream(conn_, &encoder, nullptr) == 0 &&
         ngtcp2_conn_open_uni_stream(conn_, &decoder, nullptr) == 0 &&
         nghttp3_conn_bind_qpack_streams(h3_, encoder, decoder) == 0;
}

void Connection::read(const fa_udp_datagram& d) {
  if (done_ || draining_) return;
  if (closing_) {  // answer with the same CONNECTION_CLOSE; never more bytes than we got
    if (close_packet_.size() <= 3 * d.len) server_->send_one(close_packet_.data(), close_packet_.size(), d.peer, d.local);
    return;
  }
  fa_udp_addr local = d.local, peer = d.peer;
  const ngtcp2_path p{{&local.sa, addr_len(local)}, {&peer.sa, addr_len(peer)}, nullptr};
  ngtcp2_pkt_info pi{d.ecn};
  const int rv = ngtcp2_conn_read_pkt(conn_, &p, &pi, d.data, d.len, now());
  if (rv != 0) {
    handle_error(rv);
    return;
  }
  server_->mark_dirty(this);
}

void Connection::write() {
  dirty = false;
  if (done_ || closing_ || draining_) return;
  const ngtcp2_tstamp ts = now();
  const size_t max_payload = std::min(ngtcp2_conn_get_max_tx_udp_payload_size(conn_), Server::kTxPacketSize);
  const size_t quantum = ngtcp2_conn_get_send_quantum(conn_);
  const size_t max_packets = std::clamp<size_t>(quantum / max_payload, 1, Server::kTxPackets);
  uint8_t* buf = server_->tx_buffer();
  size_t sizes[Server::kTxPackets];
  size_t packets = 0, used = 0;
  ngtcp2_path_storage ps;
  ngtcp2_path_storage_zero(&ps);
  ngtcp2_pkt_info pi{};
  bool more = false;
  for (;;) {
    int64_t stream_id = -1;
    int fin = 0;
    nghttp3_vec vec[16];
    nghttp3_ssize veccnt = 0;
    if (h3_ != nullptr && ngtcp2_conn_get_max_data_left(conn_) > 0) {
      veccnt = nghttp3_conn_writev_stream(h3_, &stream_id, &fin, vec, 16);
      if (veccnt < 0) {
        ngtcp2_connection_close_error_set_application_error(
            &ccerr_, nghttp3_err_infer_quic_app_error_code(static_cast<int>(veccnt)), nullptr, 0);
        enter_closing();
        return;
      }
    }
    ngtcp2_ssize datalen = -1;
    const uint32_t flags = NGTCP2_WRITE_STREAM_FLAG_MORE | (fin ? NGTCP2_WRITE_STREAM_FLAG_FIN : 0);
    const ngtcp2_ssize n =
        ngtcp2_conn_writev_stream(conn_, &ps.path, &pi, buf + used, max_payload, &datalen, flags, stream_id,
                                  reinterpret_cast<const ngtcp2_vec*>(vec), static_cast<size_t>(veccnt), ts);
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
      ngtcp2_connection_close_error_set_transport_error_liberr(&ccerr_, static_cast<int>(n), nullptr, 0);
      enter_closing();
      return;
    }
    if (datalen >= 0 && stream_id >= 0) nghttp3_conn_add_write_offset(h3_, stream_id, static_cast<size_t>(datalen));
    if (n == 0) break;
    sizes[packets++] = static_cast<size_t>(n);
    used += static_cast<size_t>(n);  // back to back: send_burst cuts equal-sized runs into GSO trains
    if (packets == max_packets) {
      more = true;
      break;
    }
  }
  if (packets > 0) {
    std::memcpy(&remote_, ps.path.remote.addr, ps.path.remote.addrlen);
    server_->send_burst(sizes, packets, remote_, local_, pi.ecn);
  }
  ngtcp2_conn_update_pkt_tx_time(conn_, ts);
  const ngtcp2_tstamp expiry = ngtcp2_conn_get_expiry(conn_);
  if (expiry == UINT64_MAX) {
    server_->api()->timer_stop(&timer_);
  } else {
    const ngtcp2_tstamp t = now();
    server_->api()->timer_start(&timer_, expiry > t ? (expiry - t + NGTCP2_MILLISECONDS - 1) / NGTCP2_MILLISECONDS : 0);
  }
  if (more) server_->mark_dirty(this);  // the rest on the next end-of-turn pass
}

void Connection::on_timer(fa_timer* /*timer*/, void* arg) {
  auto* c = static_cast<Connection*>(arg);
  if (c->closing_ || c->draining_) {  // the closing or draining period is over
    c->mark_done();
  } else {
    const int rv = ngtcp2_conn_handle_expiry(c->conn_, now());
    if (rv != 0) {
      c->handle_error(rv);
    } else {
      c->write();
    }
  }
  c->server_->flush();
}

void Connection::handle_error(int liberr) {
  if (liberr == NGTCP2_ERR_DRAINING) {
    start_drain_period();
    return;
  }
  if (liberr == NGTCP2_ERR_DROP_CONN || liberr == NGTCP2_ERR_IDLE_CLOSE || liberr == NGTCP2_ERR_HANDSHAKE_TIMEOUT) {
    mark_done();
    return;
  }
  if (liberr == NGTCP2_ERR_CRYPTO) {
    server_->mutable_stats().handshake_failures++;
    ngtcp2_connection_close_error_set_transport_error_tls_alert(&ccerr_, ngtcp2_conn_get_tls_alert(conn_), nullptr,
                                                                0);
  } else if (liberr != NGTCP2_ERR_CALLBACK_FAILURE || ccerr_.error_code == 0) {
    ngtcp2_connection_close_error_set_transport_error_liberr(&ccerr_, liberr, nullptr, 0);
  }
  enter_closing();
}

void Connection::enter_closing() {
  if (closing_ || draining_ || done_) return;
  if (ngtcp2_conn_is_in_draining_period(conn_)) {
    start_drain_period();
    return;
  }
  closing_ = true;
  ngtcp2_path_storage ps;
  ngtcp2_path_storage_zero(&ps);
  ngtcp2_pkt_info pi{};
  uint8_t* buf = server_->tx_buffer();
  const ngtcp2_ssize n =
      ngtcp2_conn_write_connection_close(conn_, &ps.path, &pi, buf, Server::kTxPacketSize, &ccerr_, now());
  if (n <= 0) {
    mark_done();
    return;
  }
  close_packet_.assign(buf, buf + n);
  server_->send_one(close_packet_.data(), close_packet_.size(), remote_, local_);
  server_->api()->timer_start(&timer_, 3 * ngtcp2_conn_get_pto(conn_) / NGTCP2_MILLISECONDS + 1);
}

void Connection::start_drain_period() {
  if (draining_ || done_) return;
  draining_ = true;
  server_->api()->timer_start(&timer_, 3 * ngtcp2_conn_get_pto(conn_) / NGTCP2_MILLISECONDS + 1);
}

void Connection::mark_done() {
  if (done_) return;
  done_ = true;
  server_->api()->timer_stop(&timer_);
  for (auto& [id, s] : streams_) {
    if (s.headers_too_large) continue;
    server_->queue(Event{EventKind::kClosed, true, id_, id, {}, {}, {}, {}});
  }
  streams_.clear();
  server_->connection_done(this);
}

void Connection::goaway() {
  if (done_ || closing_ || draining_) return;
  goaway_ = true;
  if (h3_ == nullptr) {  // handshake not finished: nothing in flight
    ngtcp2_connection_close_error_set_transport_error(&ccerr_, NGTCP2_NO_ERROR, nullptr, 0);
    enter_closing();
    return;
  }
  nghttp3_conn_shutdown(h3_);
  server_->mark_dirty(this);
  close_if_idle_after_goaway();
}

void Connection::close_if_idle_after_goaway() {
  if (!goaway_ || !streams_.empty() || closing_ || done_) return;
  write();  // GOAWAY and whatever else is owed leave before CONNECTION_CLOSE
  ngtcp2_connection_close_error_set_application_error(&ccerr_, NGHTTP3_H3_NO_ERROR, nullptr, 0);
  enter_closing();
}

Stream* Connection::stream(int64_t id) {
  auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : &it->second;
}

void Connection::end_of_stream(int64_t id, uint64_t /*app_error_code*/) {
  auto it = streams_.find(id);
  if (it == streams_.end()) return;
  Stream& s = it->second;
  if (s.unconsumed > 0) ngtcp2_conn_extend_max_offset(conn_, s.unconsumed);  // JS never took these
  if (!s.headers_too_large) {
    const bool complete = s.responded && s.response_eof && s.all_acked();
    server_->queue(Event{EventKind::kClosed, !complete, id_, id, {}, {}, {}, {}});
  }
  streams_.erase(it);
  close_if_idle_after_goaway();
}

void Connection::respond_too_large(Stream& s) {
  s.responded = true;
  s.response_eof = true;
  const nghttp3_nv head[] = {nv(":status", "431"), nv("content-length", "0")};
  nghttp3_conn_submit_response(h3_, s.id, head, 2, nullptr);
  if (!s.request_done) ngtcp2_conn_shutdown_stream_read(conn_, s.id, NGHTTP3_H3_NO_ERROR);
  server_->mark_dirty(this);
}

bool Connection::respond(int64_t id, uint32_t status, std::string_view content_type, std::string_view headers,
                         const uint8_t* body, size_t len, bool streamed, bool head) {
  Stream* s = stream(id);
  if (s == nullptr || s->responded || h3_ == nullptr || done_) return false;
  s->responded = true;
  // nghttp3 encodes the field section when it writes, so every name and value lives in the stream:
  // collected as views first, then copied into one string sized up front (the nv point into it).
  const std::string status_text = std::to_string(status), length_text = std::to_string(len);
  std::vector<std::pair<std::string_view, std::string_view>> fields;
  auto field = [&](std::string_view name, std::string_view value) { fields.emplace_back(name, value); };
  field(":status", status_text);
  if (!content_type.empty()) field("content-type", content_type);
  for (size_t at = 0; at < headers.size();) {  // "name\0value\0" pairs
    const size_t name_end = headers.find('\0', at);
    if (name_end == std::string_view::npos) break;
    size_t value_end = headers.find('\0', name_end + 1);
    if (value_end == std::string_view::npos) value_end = headers.size();
    const std::string_view name = headers.substr(at, name_end - at);
    const std::string_view value = headers.substr(name_end + 1, value_end - name_end - 1);
    at = value_end + 1;
    if (name == "content-length" && !head) continue;  // we frame the body (HEAD keeps the handler's)
    if (name == "connection" || name == "transfer-encoding" || name == "keep-alive") continue;
    field(name, value);
  }
  const bool no_content = status_has_no_content(status);
  if (!streamed && !no_content && (!head || len > 0)) field("content-length", length_text);
  size_t text_size = 0;
  for (const auto& [name, value] : fields) text_size += name.size() + value.size();
  std::string& text = s->response_text;
  text.reserve(text_size);
  std::vector<nghttp3_nv> nva;
  nva.reserve(fields.size());
  for (const auto& [name, value] : fields) {
    const size_t at = text.size();
    text.append(name).append(value);
    nva.push_back(nv(std::string_view(text).substr(at, name.size()),
                     std::string_view(text).substr(at + name.size(), value.size())));
  }
  const bool sends_body = !no_content && !head;
  if (!streamed) {
    if (sends_body && len > 0) {
      s->chunks.emplace_back(body, body + len);
      s->buffered = len;
    }
    s->response_eof = true;
  }
  static const nghttp3_data_reader reader{Callbacks::h3_read_data};
  const bool has_data = streamed ? sends_body : !s->all_acked();
  if (!sends_body) s->response_eof = true;
  if (nghttp3_conn_submit_response(h3_, id, nva.data(), nva.size(), has_data ? &reader : nullptr) != 0) return false;
  if (s->response_eof && !s->request_done) ngtcp2_conn_shutdown_stream_read(conn_, id, NGHTTP3_H3_NO_ERROR);
  server_->mark_dirty(this);
  return true;
}

int Connection::write_body(int64_t id, const uint8_t* data, size_t len) {
  Stream* s = stream(id);
  if (s == nullptr || !s->responded || s->response_eof || done_) return -1;
  if (len > 0) {
    s->chunks.emplace_back(data, data + len);
    s->buffered += len;
    nghttp3_conn_resume_stream(h3_, id);
    server_->mark_dirty(this);
  }
  if (s->buffered >= kHighWater) {
    s->writer_waiting = true;
    return 0;
  }
  return 1;
}

bool Connection::end(int64_t id) {
  Stream* s = stream(id);
  if (s == nullptr || !s->responded || s->response_eof || done_) return false;
  s->response_eof = true;
  nghttp3_conn_resume_stream(h3_, id);
  if (!s->request_done) ngtcp2_conn_shutdown_stream_read(conn_, id, NGHTTP3_H3_NO_ERROR);
  server_->mark_dirty(this);
  return true;
}

void Connection::consume(int64_t id, size_t n) {
  Stream* s = stream(id);
  if (s == nullptr || done_) return;
  n = std::min(n, s->unconsumed);
  s->unconsumed -= n;
  ngtcp2_conn_extend_max_stream_offset(conn_, id, n);
  ngtcp2_conn_extend_max_offset(conn_, n);
  server_->mark_dirty(this);
}

void Connection::stop_reading(int64_t id) {
  Stream* s = stream(id);
  if (s == nullptr || done_ || s->request_done) return;
  ngtcp2_conn_shutdown_stream_read(conn_, id, NGHTTP3_H3_NO_ERROR);
  server_->mark_dirty(this);
}

void Connection::reset(int64_t id) {
  if (stream(id) == nullptr || done_) return;
  ngtcp2_conn_shutdown_stream(conn_, id, NGHTTP3_H3_INTERNAL_ERROR);
  server_->mark_dirty(this);
}

}  // namespace fasterapi::http3
