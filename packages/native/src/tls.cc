// See tls.h.
#include "tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cctype>
#include <cstring>

namespace fasterapi {

std::string tls_error_string() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown TLS error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

static SSL_CTX* build_ctx(const PemPair& pem, std::string* error) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) {
    *error = tls_error_string();
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  static const unsigned char kSessionContext[] = "fasterapi";
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);

  BIO* cert_bio = BIO_new_mem_buf(pem.cert.data(), static_cast<int>(pem.cert.size()));
  X509* leaf = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
  bool ok = leaf != nullptr && SSL_CTX_use_certificate(ctx, leaf) == 1;
  if (leaf != nullptr) X509_free(leaf);
  if (!ok) {
    *error = "invalid TLS certificate: " + tls_error_string();
  } else {
    // Intermediates follow the leaf; the context takes ownership of each.
    while (X509* extra = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr)) {
      if (SSL_CTX_add_extra_chain_cert(ctx, extra) != 1) {
        X509_free(extra);
        *error = "invalid TLS certificate chain: " + tls_error_string();
        ok = false;
        break;
      }
    }
    if (ok) ERR_clear_error();  // the end-of-PEM "no start line" is expected
  }
  BIO_free(cert_bio);

  if (ok) {
    BIO* key_bio = BIO_new_mem_buf(pem.key.data(), static_cast<int>(pem.key.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
    BIO_free(key_bio);
    if (key == nullptr || SSL_CTX_use_PrivateKey(ctx, key) != 1) {
      *error = "invalid TLS private key: " + tls_error_string();
      ok = false;
    } else if (SSL_CTX_check_private_key(ctx) != 1) {
      *error = "TLS private key does not match the certificate: " + tls_error_string();
      ok = false;
    }
    if (key != nullptr) EVP_PKEY_free(key);
  }
  if (!ok) {
    SSL_CTX_free(ctx);
    return nullptr;
  }
  return ctx;
}

static std::string lower(const std::string& s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::unique_ptr<TlsContext> TlsContext::create(const PemPair& main,
                                               const std::vector<SniEntry>& sni,
                                               const std::string* registered_wire,
                                               std::string preference_wire, std::string* error) {
  std::unique_ptr<TlsContext> self(new TlsContext());
  self->registered_wire_ = registered_wire;
  self->preference_wire_ = std::move(preference_wire);
  self->main_ = build_ctx(main, error);
  if (self->main_ == nullptr) return nullptr;
  for (const SniEntry& entry : sni) {
    SSL_CTX* ctx = build_ctx(entry.pem, error);
    if (ctx == nullptr) {
      *error = "SNI '" + entry.name + "': " + *error;
      return nullptr;
    }
    self->sni_.emplace_back(lower(entry.name), ctx);
  }
  // ALPN runs on whichever context SNI settled on, so every context gets the callback.
  SSL_CTX_set_alpn_select_cb(self->main_, on_alpn, self.get());
  for (auto& [name, ctx] : self->sni_) SSL_CTX_set_alpn_select_cb(ctx, on_alpn, self.get());
  if (!self->sni_.empty()) {
    SSL_CTX_set_tlsext_servername_callback(self->main_, on_servername);
    SSL_CTX_set_tlsext_servername_arg(self->main_, self.get());
  }
  return self;
}

TlsContext::~TlsContext() {
  if (main_ != nullptr) SSL_CTX_free(main_);
  for (auto& [name, ctx] : sni_) SSL_CTX_free(ctx);
}

SSL* TlsContext::new_ssl() const { return SSL_new(main_); }

SSL_CTX* TlsContext::find_sni(const char* name) const {
  std::string host = lower(name);
  for (const auto& [pattern, ctx] : sni_) {
    if (pattern == host) return ctx;
  }
  size_t dot = host.find('.');
  if (dot == std::string::npos) return nullptr;
  std::string wildcard(1, '*');
  wildcard.append(host, dot, std::string::npos);
  for (const auto& [pattern, ctx] : sni_) {
    if (pattern == wildcard) return ctx;
  }
  return nullptr;
}

int TlsContext::on_servername(SSL* ssl, int* /*alert*/, void* arg) {
  auto* self = static_cast<TlsContext*>(arg);
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (name == nullptr) return SSL_TLSEXT_ERR_NOACK;
  SSL_CTX* ctx = self->find_sni(name);
  if (ctx == nullptr) return SSL_TLSEXT_ERR_NOACK;  // unknown names get the default cert
  SSL_set_SSL_CTX(ssl, ctx);
  return SSL_TLSEXT_ERR_OK;
}

namespace {

// The entry `name` in an ALPN wire list (length-prefixed ids), or null.
const unsigned char* find_alpn(const unsigned char* wire, size_t wire_len, const unsigned char* name, size_t len) {
  for (size_t at = 0; at < wire_len; at += 1 + wire[at]) {
    if (wire[at] == len && at + 1 + len <= wire_len && std::memcmp(wire + at + 1, name, len) == 0) return wire + at;
  }
  return nullptr;
}

}  // namespace

int TlsContext::on_alpn(SSL* /*ssl*/, const unsigned char** out, unsigned char* outlen,
                        const unsigned char* in, unsigned int inlen, void* arg) {
  auto* self = static_cast<TlsContext*>(arg);
  const std::string& registered = *self->registered_wire_;
  // Server preference: the listener's `alpn` order, else registration order; only registered
  // names can be chosen, so the engine always has a module for the result.
  const std::string& order = self->preference_wire_.empty() ? registered : self->preference_wire_;
  const auto* wire = reinterpret_cast<const unsigned char*>(order.data());
  for (size_t at = 0; at < order.size(); at += 1 + wire[at]) {
    const unsigned char* name = wire + at + 1;
    const size_t len = wire[at];
    if (!self->preference_wire_.empty() &&
        find_alpn(reinterpret_cast<const unsigned char*>(registered.data()), registered.size(), name, len) == nullptr) {
      continue;
    }
    if (const unsigned char* offered = find_alpn(in, inlen, name, len)) {
      *out = offered + 1;
      *outlen = static_cast<unsigned char>(len);
      return SSL_TLSEXT_ERR_OK;
    }
  }
  // A listener with an `alpn` list serves exactly those: a client that offered only others gets
  // RFC 7301 3.2's fatal no_application_protocol alert. Without a list (and for a client that
  // offers no ALPN) the listener's own protocol serves the connection.
  return self->preference_wire_.empty() ? SSL_TLSEXT_ERR_NOACK : SSL_TLSEXT_ERR_ALERT_FATAL;
}

TlsSession::TlsSession(const TlsContext& ctx) {
  ssl_ = ctx.new_ssl();
  if (ssl_ == nullptr) return;
  in_ = BIO_new(BIO_s_mem());
  out_ = BIO_new(BIO_s_mem());
  // An empty memory BIO means "try again later", not EOF.
  BIO_set_mem_eof_return(in_, -1);
  BIO_set_mem_eof_return(out_, -1);
  SSL_set_bio(ssl_, in_, out_);
  SSL_set_accept_state(ssl_);
}

TlsSession::~TlsSession() {
  if (ssl_ != nullptr) SSL_free(ssl_);
}

void TlsSession::feed(const uint8_t* data, size_t len) {
  BIO_write(in_, data, static_cast<int>(len));
}

int TlsSession::handshake() {
  ERR_clear_error();
  int r = SSL_do_handshake(ssl_);
  if (r == 1) {
    done_ = true;
    const unsigned char* proto = nullptr;
    unsigned int proto_len = 0;
    SSL_get0_alpn_selected(ssl_, &proto, &proto_len);
    if (proto != nullptr) alpn_.assign(reinterpret_cast<const char*>(proto), proto_len);
    const char* name = SSL_get_servername(ssl_, TLSEXT_NAMETYPE_host_name);
    if (name != nullptr) sni_ = name;
    return kDone;
  }
  int err = SSL_get_error(ssl_, r);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return kWant;
  return kError;
}

long TlsSession::read(uint8_t* buf, size_t cap) {
  ERR_clear_error();
  int r = SSL_read(ssl_, buf, static_cast<int>(cap));
  if (r > 0) return r;
  int err = SSL_get_error(ssl_, r);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return kWant;
  if (err == SSL_ERROR_ZERO_RETURN) return kPeerClosed;
  return kError;
}

bool TlsSession::write(const uint8_t* data, size_t len) {
  ERR_clear_error();
  // Memory BIOs never refuse output, so SSL_write either takes everything or fails.
  return SSL_write(ssl_, data, static_cast<int>(len)) == static_cast<int>(len);
}

void TlsSession::send_close_notify() {
  if (done_) SSL_shutdown(ssl_);
}

bool TlsSession::has_output() const { return BIO_ctrl_pending(out_) > 0; }

void TlsSession::drain(WriteQueue* wire) {
  while (BIO_ctrl_pending(out_) > 0) {
    size_t avail = 0;
    uint8_t* dst = wire->tail_space(&avail);
    int n = BIO_read(out_, dst, static_cast<int>(avail));
    if (n <= 0) break;
    wire->commit_tail(static_cast<size_t>(n));
  }
}

}  // namespace fasterapi
