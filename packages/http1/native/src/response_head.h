// Serialises an HTTP/1.1 response head (status line, caller headers, framing headers) into a
// reusable byte buffer, and validates caller header names and values so a handler can never
// split a response. It decides nothing about connections; the module tells it the framing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "date_cache.h"

namespace fasterapi::http1 {

/** How the body that follows the head is delimited. */
enum class Framing : uint8_t {
  kContentLength,  // "Content-Length: n"
  kChunked,        // "Transfer-Encoding: chunked"
  kNone,           // 1xx/204/304, or close-delimited for HTTP/1.0 streams
};

class ResponseHead {
 public:
  /** Starts a head; `out` is cleared but keeps its capacity. */
  void begin(std::string& out, int status);
  /**
   * Adds a caller header; returns false if the name is not a token or the value holds CR, LF or
   * NUL. Framing headers (content-length, transfer-encoding, connection, date) are recorded and
   * written by finish() instead, so they are never duplicated or contradicted.
   */
  bool add(std::string& out, const char* name, size_t name_len, const char* value, size_t value_len);
  /**
   * Ends the head. `keep_alive` decides the Connection header (the caller's "close" wins);
   * returns the final keep-alive decision.
   */
  bool finish(std::string& out, Framing framing, uint64_t content_length, bool keep_alive, DateCache& date);
  /** Ends a 101 head: "Upgrade: <protocol>" and "Connection: Upgrade" (the caller's Connection is dropped). */
  void finish_upgrade(std::string& out, const char* protocol, size_t protocol_len, DateCache& date);

  /** The caller asked for Content-Length itself (used for HEAD, which sends no body). */
  bool has_caller_content_length() const { return caller_content_length_ >= 0; }
  int64_t caller_content_length() const { return caller_content_length_; }

 private:
  bool caller_close_ = false;
  bool caller_date_ = false;
  int64_t caller_content_length_ = -1;
};

/**
 * Appends "name: value\r\n" for one trailer field of a chunked answer's last chunk; false (nothing
 * appended) for a name that is not a token, a value with CR, LF or NUL, or a field RFC 9110 6.5.1
 * keeps out of trailers (Content-Length, Transfer-Encoding, Host, ...).
 */
bool append_trailer(std::string& out, const char* name, size_t name_len, const char* value, size_t value_len);

/** Reason phrase for a status code ("" for unknown codes, which RFC 9112 allows). */
const char* reason_phrase(int status);

/** A status whose response never carries content (RFC 9110 sections 15.2, 15.3.5, 15.4.5). */
inline bool status_has_no_body(int status) { return status < 200 || status == 204 || status == 304; }

}  // namespace fasterapi::http1
