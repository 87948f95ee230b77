// TLS termination with the OpenSSL that Node itself exports (headers from Node's include
// dir, no second libssl): server contexts built from PEM, SNI picking a context per server
// name, ALPN picking from the engine's registered protocols in the listener's preference
// order, and per-connection sessions over memory BIOs. It never touches sockets: bytes go in and out through the caller.
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "write_queue.h"

namespace fasterapi {

struct PemPair {
  std::string key;
  std::string cert;  // leaf first, then the chain
};

struct SniEntry {
  std::string name;  // exact host name, or "*.example.com"
  PemPair pem;
};

class TlsContext {
 public:
  // `registered_wire` is the engine's registered names in ALPN wire format (registration order),
  // read live at each handshake; it must outlive the context (the engine owns both).
  // `preference_wire` (same format, may be empty) is the listener's own preference order.
  // Returns null and fills *error on bad PEM.
  static std::unique_ptr<TlsContext> create(const PemPair& main, const std::vector<SniEntry>& sni,
                                            const std::string* registered_wire, std::string preference_wire,
                                            std::string* error);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  SSL* new_ssl() const;

 private:
  TlsContext() = default;
  static int on_servername(SSL* ssl, int* alert, void* arg);
  static int on_alpn(SSL* ssl, const unsigned char** out, unsigned char* outlen,
                     const unsigned char* in, unsigned int inlen, void* arg);
  SSL_CTX* find_sni(const char* name) const;

  SSL_CTX* main_ = nullptr;
  std::vector<std::pair<std::string, SSL_CTX*>> sni_;
  const std::string* registered_wire_ = nullptr;
  std::string preference_wire_;
};

class TlsSession {
 public:
  enum { kDone = 1, kWant = 0, kError = -1, kPeerClosed = -2 };

  explicit TlsSession(const TlsContext& ctx);
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  bool ok() const { return ssl_ != nullptr; }
  bool handshake_done() const { return done_; }
  void feed(const uint8_t* data, size_t len);
  // kDone, kWant (needs more input) or kError.
  int handshake();
  // > 0 plaintext bytes, kWant (nothing now), kPeerClosed (close_notify) or kError.
  long read(uint8_t* buf, size_t cap);
  bool write(const uint8_t* data, size_t len);
  void send_close_notify();
  // Moves pending ciphertext into `wire`.
  void drain(WriteQueue* wire);
  bool has_output() const;

  const char* alpn() const { return alpn_.empty() ? nullptr : alpn_.c_str(); }
  const char* server_name() const { return sni_.empty() ? nullptr : sni_.c_str(); }

 private:
  SSL* ssl_ = nullptr;
  BIO* in_ = nullptr;   // network -> SSL (owned by ssl_)
  BIO* out_ = nullptr;  // SSL -> network (owned by ssl_)
  bool done_ = false;
  std::string alpn_;
  std::string sni_;
};

// The most recent OpenSSL error of this thread as text (and clears the queue).
std::string tls_error_string();

}  // namespace fasterapi
