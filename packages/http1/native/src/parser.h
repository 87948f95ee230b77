// HTTP/1.1 request parser (RFC 9112): bytes in, a filled Request struct out. Header and target
// spans point into the caller's buffer; nothing is copied or allocated. It knows nothing about
// sockets, event loops or N-API, and does not decode bodies itself (see ChunkedDecoder).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace fasterapi::http1 {

/** Why a request head or chunked body was rejected. Each code maps to one HTTP status. */
enum class Error : uint8_t {
  kNone = 0,
  kBadRequestLine,          // 400: malformed request line
  kBadMethod,               // 400: method is not a token
  kBadTarget,               // 400: request-target has forbidden bytes (e.g. a '#' fragment) or wrong form
  kUnsupportedVersion,      // 505: not HTTP/1.0 or HTTP/1.1
  kBadHeaderName,           // 400: field name is not a token, or whitespace before ':'
  kBadHeaderValue,          // 400: control character in a field value
  kObsFold,                 // 400: obsolete line folding
  kBareCR,                  // 400: CR not followed by LF
  kBareLF,                  // 400: LF without CR as a line terminator
  kNulByte,                 // 400: NUL anywhere in the head
  kMissingHost,             // 400: HTTP/1.1 request without Host
  kDuplicateHost,           // 400: more than one Host
  kBadHost,                 // 400: Host is not uri-host [":" port] (RFC 9112 section 3.2, RFC 3986)
  kBadContentLength,        // 400: Content-Length is not a decimal number (or overflows)
  kConflictingContentLength,// 400: several Content-Length values that differ
  kContentLengthWithTransferEncoding, // 400: both framing headers (request smuggling)
  kBadTransferEncoding,     // 400: chunked not last, repeated, or TE on HTTP/1.0
  kUnknownTransferEncoding, // 501: a transfer coding we do not implement
  kExpectationFailed,       // 417: an Expect other than 100-continue
  kRequestLineTooLong,      // 414: request line over Limits::max_request_line
  kHeadersTooLarge,         // 431: head over Limits::max_head_bytes or too many fields
  kBadChunk,                // 400: malformed chunked framing
};

/** The HTTP status a server answers for `error` (0 for kNone). */
int error_status(Error error);
/** A stable lower-case name for logs and tests, e.g. "obs_fold". */
const char* error_name(Error error);

/** Offsets into the parsed buffer; `len == 0` means absent. */
struct Span {
  uint32_t off;
  uint32_t len;
};

struct Header {
  Span name;
  Span value;  // leading and trailing whitespace removed
};

// No defaults here: @fasterapi/http1 (http1-options.ts) resolves them and passes every one.
struct Limits {
  uint32_t max_request_line;
  uint32_t max_head_bytes;  // request line + fields + final CRLF
  uint32_t max_headers;
};

enum class BodyKind : uint8_t { kNone, kLength, kChunked };

constexpr uint32_t kMaxHeaders = 128;

struct Request {
  Span method;
  Span target;       // as sent
  Span path;         // origin-form path+query; for absolute-form the part after the authority
  bool path_needs_slash;  // absolute-form without a path ("http://h?q"): the path is "/" + path
  uint8_t version_minor;  // 0 or 1
  bool keep_alive;
  bool expect_continue;
  bool upgrade;           // Connection: upgrade with an Upgrade header
  BodyKind body;
  uint64_t content_length;
  uint32_t num_headers;
  Header headers[kMaxHeaders];
};

/** Result of parse_request: either `consumed > 0` (head complete), incomplete, or an error. */
struct ParseResult {
  uint32_t consumed;  // bytes of the head including the final CRLF; 0 when not complete
  Error error;
  bool incomplete() const { return consumed == 0 && error == Error::kNone; }
};

/**
 * Parses one request head from `buf[0..len)`. `scanned` is how many bytes a previous call on the
 * same (grown) buffer already searched for the end of the head, so a client trickling bytes costs
 * linear, not quadratic, time; pass 0 the first time and keep the value between calls.
 */
ParseResult parse_request(const char* buf, size_t len, const Limits& limits, Request& req, size_t& scanned);

/**
 * Incremental chunked-body decoder (RFC 9112 section 7.1). Feed it bytes; each step consumes
 * framing and yields at most one span of body data, so the body is never copied. Trailer
 * fields are validated and kept, as received, for trailers().
 */
class ChunkedDecoder {
 public:
  enum class Status : uint8_t { kNeedMore, kData, kDone, kError };
  struct Step {
    Status status;
    uint32_t consumed;   // bytes of input used by this step (framing and data)
    uint32_t data_off;   // for kData: offset of the data in the input
    uint32_t data_len;
    Error error;         // for kError
  };

  explicit ChunkedDecoder(uint32_t max_trailer_bytes = 16 * 1024) : max_trailer_(max_trailer_bytes) {}
  void reset();
  /** One step over `buf[0..len)`; call again with the unconsumed rest until kNeedMore/kDone/kError. */
  Step step(const char* buf, size_t len);
  /** The trailer section's field lines as received ("name: value\r\n" each); complete once kDone. */
  const std::string& trailers() const { return trailers_; }

 private:
  enum class State : uint8_t { kSize, kExt, kSizeLF, kData, kDataCR, kDataLF, kTrailerStart, kTrailerLine, kTrailerLF, kFinalLF, kDone };
  State state_ = State::kSize;
  uint64_t remaining_ = 0;
  uint32_t size_digits_ = 0;
  uint32_t ext_bytes_ = 0;
  uint32_t trailer_bytes_ = 0;
  uint32_t max_trailer_;
  bool trailer_line_in_name_ = true;
  std::string trailers_;  // at most max_trailer_ bytes: the line limit bounds it
};

}  // namespace fasterapi::http1
