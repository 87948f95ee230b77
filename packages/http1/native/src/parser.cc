// HTTP/1.1 request-head parser and chunked-body decoder (RFC 9112). Strict by design: anything
// two implementations could read differently (smuggling vectors) is an error with its own code.
// Tables drive the per-byte checks; there is no allocation and no exception anywhere.
#include "parser.h"

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace fasterapi::http1 {
namespace {

// tchar per RFC 9110 section 5.6.2.
constexpr bool is_tchar_slow(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

// field-vchar / SP / HTAB / obs-text: everything but CTLs (except HTAB) and DEL.
constexpr bool is_value_char_slow(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

// RFC 3986 reg-name bytes: unreserved / sub-delims, plus '%' (its two hex digits are checked
// separately). An IP-literal ("[v6]") also allows ':'; '@' (userinfo), '/', '?', '#' and
// whitespace are never part of a Host.
constexpr bool is_host_char_slow(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  switch (c) {
    case '-': case '.': case '_': case '~': case '%':
    case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+': case ',': case ';': case '=':
      return true;
    default:
      return false;
  }
}

struct Tables {
  bool tchar[256];
  bool value[256];
  bool host[256];
  bool target[256];
  constexpr Tables() : tchar(), value(), host(), target() {
    for (int c = 0; c < 256; ++c) {
      tchar[c] = is_tchar_slow(static_cast<unsigned char>(c));
      value[c] = is_value_char_slow(static_cast<unsigned char>(c));
      host[c] = is_host_char_slow(static_cast<unsigned char>(c));
      // Visible ASCII except '#': a fragment is never sent (RFC 9112 section 3.2), so one in the
      // target is a client bug or an attempt to make two parsers see different paths.
      target[c] = c > 0x20 && c < 0x7f && c != '#';
    }
  }
};
constexpr Tables kTables;

inline bool is_tchar(char c) { return kTables.tchar[static_cast<unsigned char>(c)]; }
inline bool is_value_char(char c) { return kTables.value[static_cast<unsigned char>(c)]; }
inline bool is_target_char(char c) { return kTables.target[static_cast<unsigned char>(c)]; }
inline bool is_host_char(char c) { return kTables.host[static_cast<unsigned char>(c)]; }
inline bool is_hex(char c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }

// Returns the first byte at or after p that cannot be in a field value. The head always ends in
// CRLF before `end`, so the scan stops inside the buffer. SSE2 is part of x86-64, so no runtime
// dispatch is needed; bench/parser_bench.cc measured 16-byte blocks worth it on long values.
inline const char* scan_value(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(0x20);
  const __m128i del = _mm_set1_epi8(0x7f);
  const __m128i tab = _mm_set1_epi8('\t');
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // ok = (v >= 0x20 unsigned && v != DEL) || v == HTAB
    const __m128i printable = _mm_cmpeq_epi8(_mm_max_epu8(v, space), v);
    const __m128i ok = _mm_or_si128(_mm_andnot_si128(_mm_cmpeq_epi8(v, del), printable), _mm_cmpeq_epi8(v, tab));
    const unsigned bad = ~static_cast<unsigned>(_mm_movemask_epi8(ok)) & 0xffffu;
    if (bad != 0) return p + __builtin_ctz(bad);
    p += 16;
  }
#endif
  while (p < end && is_value_char(*p)) ++p;
  return p;
}

inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c | 0x20) : c; }

// Case-insensitive compare of buf[s] with a lower-case literal of the same length.
inline bool span_ieq(const char* buf, Span s, const char* lit, uint32_t lit_len) {
  if (s.len != lit_len) return false;
  for (uint32_t i = 0; i < lit_len; ++i)
    if (lower(buf[s.off + i]) != lit[i]) return false;
  return true;
}

template <size_t N>
inline bool span_ieq(const char* buf, Span s, const char (&lit)[N]) {
  return span_ieq(buf, s, lit, N - 1);
}

inline bool is_ows(char c) { return c == ' ' || c == '\t'; }

// Splits a comma-separated list value into trimmed elements, calling fn(Span) for each non-empty one.
template <typename Fn>
inline bool for_each_element(const char* buf, Span v, Fn&& fn) {
  uint32_t i = v.off;
  const uint32_t end = v.off + v.len;
  while (i <= end) {
    uint32_t start = i;
    while (i < end && buf[i] != ',') ++i;
    uint32_t a = start, b = i;
    while (a < b && is_ows(buf[a])) ++a;
    while (b > a && is_ows(buf[b - 1])) --b;
    if (b > a && !fn(Span{a, b - a})) return false;
    ++i;  // skip ',' (or step past end)
  }
  return true;
}

// Result of the request-line pass.
struct LineResult {
  Error error;
  uint32_t next;  // offset just past the request line's CRLF
};

// A CR at buf[i] inside the head: either the start of a CRLF or a bare CR.
inline Error cr_error(const char* buf, uint32_t i, Error if_crlf) {
  return buf[i + 1] == '\n' ? if_crlf : Error::kBareCR;
}

LineResult parse_request_line(const char* buf, uint32_t p, uint32_t end, Request& req) {
  const uint32_t m0 = p;
  while (p < end && is_tchar(buf[p])) ++p;
  if (buf[p] != ' ') {
    if (buf[p] == '\r') return {cr_error(buf, p, Error::kBadRequestLine), 0};
    return {p == m0 ? Error::kBadRequestLine : Error::kBadMethod, 0};
  }
  if (p == m0) return {Error::kBadMethod, 0};
  req.method = Span{m0, p - m0};
  // RFC 9112 section 3 lets a recipient split the request line on runs of SP; node:http and nginx
  // do, so both of our paths accept them alike (SP only: any other whitespace stays an error).
  while (p < end && buf[p] == ' ') ++p;

  const uint32_t t0 = p;
  while (p < end && is_target_char(buf[p])) ++p;
  if (buf[p] != ' ') {
    if (buf[p] == '\r') return {cr_error(buf, p, Error::kBadRequestLine), 0};
    return {Error::kBadTarget, 0};
  }
  if (p == t0) return {Error::kBadRequestLine, 0};
  req.target = Span{t0, p - t0};
  while (p < end && buf[p] == ' ') ++p;

  // HTTP-version = "HTTP/" DIGIT "." DIGIT, then CRLF.
  if (end - p < 10 || std::memcmp(buf + p, "HTTP/", 5) != 0 || buf[p + 5] < '0' || buf[p + 5] > '9' ||
      buf[p + 6] != '.' || buf[p + 7] < '0' || buf[p + 7] > '9') {
    return {Error::kBadRequestLine, 0};
  }
  if (buf[p + 8] != '\r') return {Error::kBadRequestLine, 0};
  if (buf[p + 9] != '\n') return {Error::kBareCR, 0};
  if (buf[p + 5] != '1' || (buf[p + 7] != '0' && buf[p + 7] != '1')) return {Error::kUnsupportedVersion, 0};
  req.version_minor = static_cast<uint8_t>(buf[p + 7] - '0');
  return {Error::kNone, p + 10};
}

// Classifies the request-target (RFC 9112 section 3.2) and sets req.path.
Error classify_target(const char* buf, Request& req) {
  const Span t = req.target;
  const char first = buf[t.off];
  if (first == '/') {
    req.path = t;
    return Error::kNone;
  }
  if (first == '*' && t.len == 1) {
    if (!span_ieq(buf, req.method, "options")) return Error::kBadTarget;
    req.path = t;
    return Error::kNone;
  }
  // absolute-form: scheme "://" authority [path-abempty] ["?" query]
  uint32_t scheme_len = 0;
  if (t.len > 7 && span_ieq(buf, Span{t.off, 7}, "http://")) scheme_len = 7;
  else if (t.len > 8 && span_ieq(buf, Span{t.off, 8}, "https://")) scheme_len = 8;
  if (scheme_len != 0) {
    uint32_t i = t.off + scheme_len;
    const uint32_t end = t.off + t.len;
    const uint32_t authority = i;
    while (i < end && buf[i] != '/' && buf[i] != '?') ++i;
    if (i == authority) return Error::kBadTarget;
    req.path = Span{i, end - i};
    req.path_needs_slash = i == end || buf[i] != '/';
    return Error::kNone;
  }
  // authority-form is only for CONNECT.
  if (req.method.len == 7 && std::memcmp(buf + req.method.off, "CONNECT", 7) == 0) {
    req.path = t;
    return Error::kNone;
  }
  return Error::kBadTarget;
}

// Host = uri-host [ ":" port ] (RFC 9112 section 3.2). uri-host is a reg-name (percent-escapes
// well-formed) or a bracketed IP-literal; port is digits. An empty value is valid: a client sends
// one when the target URI has no authority.
bool is_valid_host(const char* buf, Span v) {
  uint32_t i = v.off;
  const uint32_t end = v.off + v.len;
  if (i < end && buf[i] == '[') {
    for (++i; i < end && buf[i] != ']'; ++i)
      if (!is_host_char(buf[i]) && buf[i] != ':') return false;
    if (i == end || i == v.off + 1) return false;
    ++i;  // past ']'
  } else {
    for (; i < end && buf[i] != ':'; ++i) {
      if (!is_host_char(buf[i])) return false;
      if (buf[i] == '%' && (end - i < 3 || !is_hex(buf[i + 1]) || !is_hex(buf[i + 2]))) return false;
    }
  }
  if (i == end) return true;
  if (buf[i] != ':') return false;
  for (++i; i < end; ++i)
    if (buf[i] < '0' || buf[i] > '9') return false;
  return true;
}

// Header semantics gathered while scanning the fields, checked once the head is complete.
struct Framing {
  uint32_t host_count = 0;
  bool host_invalid = false;
  bool has_content_length = false;
  uint64_t content_length = 0;
  bool te_present = false;
  uint32_t te_chunked = 0;
  bool te_chunked_last = false;
  bool te_other = false;
  bool conn_close = false;
  bool conn_keep_alive = false;
  bool conn_upgrade = false;
  bool has_upgrade = false;
  bool expect_continue = false;
  bool expect_other = false;
  Error error = Error::kNone;
};

void note_content_length(const char* buf, Span value, Framing& f) {
  if (value.len == 0) {
    f.error = Error::kBadContentLength;
    return;
  }
  for_each_element(buf, value, [&](Span e) {
    uint64_t n = 0;
    if (e.len > 18) {  // more than 10^18 bytes is not a real body; also rules out overflow
      f.error = Error::kBadContentLength;
      return false;
    }
    for (uint32_t i = 0; i < e.len; ++i) {
      const char c = buf[e.off + i];
      if (c < '0' || c > '9') {
        f.error = Error::kBadContentLength;
        return false;
      }
      n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    if (f.has_content_length && n != f.content_length) {
      f.error = Error::kConflictingContentLength;
      return false;
    }
    f.has_content_length = true;
    f.content_length = n;
    return true;
  });
  // A value made only of commas and whitespace has no element at all.
  if (f.error == Error::kNone && !f.has_content_length) f.error = Error::kBadContentLength;
}

void note_transfer_encoding(const char* buf, Span value, Framing& f) {
  f.te_present = true;
  for_each_element(buf, value, [&](Span e) {
    if (span_ieq(buf, e, "chunked")) {
      ++f.te_chunked;
      f.te_chunked_last = true;
    } else {
      f.te_other = true;
      f.te_chunked_last = false;
    }
    return true;
  });
}

void note_connection(const char* buf, Span value, Framing& f) {
  for_each_element(buf, value, [&](Span e) {
    if (span_ieq(buf, e, "close")) f.conn_close = true;
    else if (span_ieq(buf, e, "keep-alive")) f.conn_keep_alive = true;
    else if (span_ieq(buf, e, "upgrade")) f.conn_upgrade = true;
    return true;
  });
}

void note_header(const char* buf, const Header& h, Framing& f) {
  const Span n = h.name;
  switch (n.len) {
    case 4:
      if (span_ieq(buf, n, "host")) {
        ++f.host_count;
        f.host_invalid = f.host_invalid || !is_valid_host(buf, h.value);
      }
      break;
    case 6:
      if (span_ieq(buf, n, "expect")) {
        if (span_ieq(buf, h.value, "100-continue")) f.expect_continue = true;
        else if (h.value.len != 0) f.expect_other = true;
      }
      break;
    case 7:
      if (span_ieq(buf, n, "upgrade")) f.has_upgrade = true;
      break;
    case 10:
      if (span_ieq(buf, n, "connection")) note_connection(buf, h.value, f);
      break;
    case 14:
      if (span_ieq(buf, n, "content-length")) note_content_length(buf, h.value, f);
      break;
    case 17:
      if (span_ieq(buf, n, "transfer-encoding")) note_transfer_encoding(buf, h.value, f);
      break;
    default:
      break;
  }
}

Error apply_framing(const Framing& f, Request& req) {
  if (f.error != Error::kNone) return f.error;
  if (f.host_count > 1) return Error::kDuplicateHost;
  if (f.host_invalid) return Error::kBadHost;
  if (f.host_count == 0 && req.version_minor == 1) return Error::kMissingHost;
  if (f.te_present) {
    if (f.has_content_length) return Error::kContentLengthWithTransferEncoding;
    if (req.version_minor == 0) return Error::kBadTransferEncoding;
    if (f.te_chunked != 1 || !f.te_chunked_last) {
      // chunked repeated, missing or not final: framing is unknowable (RFC 9112 section 6.3).
      if (f.te_chunked == 0 && f.te_other) return Error::kUnknownTransferEncoding;
      return Error::kBadTransferEncoding;
    }
    if (f.te_other) return Error::kUnknownTransferEncoding;
    req.body = BodyKind::kChunked;
  } else if (f.has_content_length) {
    req.content_length = f.content_length;
    req.body = f.content_length > 0 ? BodyKind::kLength : BodyKind::kNone;
  }
  if (f.expect_other) return Error::kExpectationFailed;
  // RFC 9110 section 10.1.1: a 100-continue from an HTTP/1.0 client is ignored.
  req.expect_continue = f.expect_continue && req.version_minor == 1;
  req.keep_alive = req.version_minor == 1 ? !f.conn_close : (f.conn_keep_alive && !f.conn_close);
  req.upgrade = f.conn_upgrade && f.has_upgrade;
  return Error::kNone;
}

// Parses the header fields between `p` and the final CRLF at `end - 2`.
Error parse_fields(const char* buf, uint32_t p, uint32_t end, const Limits& limits, Request& req) {
  Framing framing;
  const uint32_t max_headers = limits.max_headers < kMaxHeaders ? limits.max_headers : kMaxHeaders;
  while (p < end - 2) {
    if (is_ows(buf[p])) return Error::kObsFold;
    const uint32_t n0 = p;
    while (is_tchar(buf[p])) ++p;
    if (buf[p] != ':' || p == n0) {
      if (buf[p] == '\r') return cr_error(buf, p, Error::kBadHeaderName);
      return Error::kBadHeaderName;
    }
    const Span name{n0, p - n0};
    ++p;
    while (is_ows(buf[p])) ++p;
    const uint32_t v0 = p;
    p = static_cast<uint32_t>(scan_value(buf + p, buf + end) - buf);
    if (buf[p] != '\r') return Error::kBadHeaderValue;
    if (buf[p + 1] != '\n') return Error::kBareCR;
    uint32_t v1 = p;
    while (v1 > v0 && is_ows(buf[v1 - 1])) --v1;
    p += 2;
    if (req.num_headers >= max_headers) return Error::kHeadersTooLarge;
    Header& h = req.headers[req.num_headers++];
    h.name = name;
    h.value = Span{v0, v1 - v0};
    note_header(buf, h, framing);
  }
  return apply_framing(framing, req);
}

}  // namespace

ParseResult parse_request(const char* buf, size_t len_in, const Limits& limits, Request& req, size_t& scanned) {
  if (len_in > 0xffffffffu) len_in = 0xffffffffu;
  const uint32_t len = static_cast<uint32_t>(len_in);

  // RFC 9112 section 2.2: ignore empty lines before the request line (bounded).
  uint32_t start = 0;
  while (start + 1 < len && buf[start] == '\r' && buf[start + 1] == '\n') {
    start += 2;
    if (start > limits.max_request_line) return {0, Error::kBadRequestLine};
  }
  if (start < len && buf[start] == '\n') return {0, Error::kBareLF};
  if (start < len && buf[start] == '\r' && start + 1 == len) return {0, Error::kNone};

  // The request line's limit applies even while the head is still arriving (414 before 431).
  const uint32_t line_limit_end = start + limits.max_request_line + 2;  // CRLF included
  if (len >= line_limit_end && std::memchr(buf + start, '\n', line_limit_end - start) == nullptr) {
    return {0, Error::kRequestLineTooLong};
  }

  // Find the blank line ending the head, only inside the head limit so that a prefix and the
  // whole buffer always get the same verdict. Every LF must follow a CR; the scan resumes
  // where the previous call stopped.
  const uint32_t head_limit_end = start + limits.max_head_bytes;
  const uint32_t scan_end = len < head_limit_end ? len : head_limit_end;
  uint32_t i = scanned > start ? static_cast<uint32_t>(scanned) : start;
  uint32_t end = 0;
  while (i < scan_end) {
    const void* hit = std::memchr(buf + i, '\n', scan_end - i);
    if (hit == nullptr) {
      i = scan_end;
      break;
    }
    const uint32_t lf = static_cast<uint32_t>(static_cast<const char*>(hit) - buf);
    if (lf == start || buf[lf - 1] != '\r') return {0, Error::kBareLF};
    if (lf >= start + 3 && buf[lf - 2] == '\n' && buf[lf - 3] == '\r') {
      end = lf + 1;
      break;
    }
    i = lf + 1;
  }
  if (end == 0) {
    scanned = i >= start + 3 ? i - 3 : start;  // keep 3 bytes: CRLFCR may straddle two reads
    return {0, len > head_limit_end ? Error::kHeadersTooLarge : Error::kNone};
  }
  scanned = end;

  if (std::memchr(buf + start, '\0', end - start) != nullptr) return {0, Error::kNulByte};

  req.num_headers = 0;
  req.path_needs_slash = false;
  req.keep_alive = false;
  req.expect_continue = false;
  req.upgrade = false;
  req.body = BodyKind::kNone;
  req.content_length = 0;
  const LineResult line = parse_request_line(buf, start, end, req);
  if (line.error != Error::kNone) return {0, line.error};
  if (Error e = classify_target(buf, req); e != Error::kNone) return {0, e};
  if (Error e = parse_fields(buf, line.next, end, limits, req); e != Error::kNone) return {0, e};
  return {end, Error::kNone};
}

int error_status(Error error) {
  switch (error) {
    case Error::kNone: return 0;
    case Error::kUnsupportedVersion: return 505;
    case Error::kUnknownTransferEncoding: return 501;
    case Error::kExpectationFailed: return 417;
    case Error::kRequestLineTooLong: return 414;
    case Error::kHeadersTooLarge: return 431;
    default: return 400;
  }
}

const char* error_name(Error error) {
  switch (error) {
    case Error::kNone: return "none";
    case Error::kBadRequestLine: return "bad_request_line";
    case Error::kBadMethod: return "bad_method";
    case Error::kBadTarget: return "bad_target";
    case Error::kUnsupportedVersion: return "unsupported_version";
    case Error::kBadHeaderName: return "bad_header_name";
    case Error::kBadHeaderValue: return "bad_header_value";
    case Error::kObsFold: return "obs_fold";
    case Error::kBareCR: return "bare_cr";
    case Error::kBareLF: return "bare_lf";
    case Error::kNulByte: return "nul_byte";
    case Error::kMissingHost: return "missing_host";
    case Error::kDuplicateHost: return "duplicate_host";
    case Error::kBadHost: return "bad_host";
    case Error::kBadContentLength: return "bad_content_length";
    case Error::kConflictingContentLength: return "conflicting_content_length";
    case Error::kContentLengthWithTransferEncoding: return "content_length_with_transfer_encoding";
    case Error::kBadTransferEncoding: return "bad_transfer_encoding";
    case Error::kUnknownTransferEncoding: return "unknown_transfer_encoding";
    case Error::kExpectationFailed: return "expectation_failed";
    case Error::kRequestLineTooLong: return "request_line_too_long";
    case Error::kHeadersTooLarge: return "headers_too_large";
    case Error::kBadChunk: return "bad_chunk";
  }
  return "unknown";
}

// ---- chunked decoder -------------------------------------------------------------------------

void ChunkedDecoder::reset() {
  state_ = State::kSize;
  remaining_ = 0;
  size_digits_ = 0;
  ext_bytes_ = 0;
  trailer_bytes_ = 0;
  trailer_line_in_name_ = true;
  trailers_.clear();
}

namespace {
inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  const char l = lower(c);
  if (l >= 'a' && l <= 'f') return l - 'a' + 10;
  return -1;
}
constexpr uint32_t kMaxChunkExtBytes = 4096;
}  // namespace

ChunkedDecoder::Step ChunkedDecoder::step(const char* buf, size_t len_in) {
  const uint32_t len = len_in > 0xffffffffu ? 0xffffffffu : static_cast<uint32_t>(len_in);
  auto fail = [&](Error e) { return Step{Status::kError, 0, 0, 0, e}; };
  uint32_t p = 0;
  while (p < len) {
    const char c = buf[p];
    switch (state_) {
      case State::kSize: {
        const int h = hex_value(c);
        if (h >= 0) {
          if (++size_digits_ > 15) return fail(Error::kBadChunk);  // > 2^60 bytes: refuse
          remaining_ = (remaining_ << 4) | static_cast<uint64_t>(h);
          ++p;
          break;
        }
        if (size_digits_ == 0) return fail(Error::kBadChunk);
        if (c == ';') state_ = State::kExt;
        else if (c == '\r') state_ = State::kSizeLF;
        else return fail(Error::kBadChunk);
        ++p;
        break;
      }
      case State::kExt:
        if (c == '\r') state_ = State::kSizeLF;
        else if (!is_value_char(c) || ++ext_bytes_ > kMaxChunkExtBytes) return fail(Error::kBadChunk);
        ++p;
        break;
      case State::kSizeLF:
        if (c != '\n') return fail(Error::kBadChunk);
        ++p;
        size_digits_ = 0;
        ext_bytes_ = 0;
        state_ = remaining_ == 0 ? State::kTrailerStart : State::kData;
        break;
      case State::kData: {
        const uint64_t avail = len - p;
        const uint32_t n = static_cast<uint32_t>(avail < remaining_ ? avail : remaining_);
        remaining_ -= n;
        if (remaining_ == 0) state_ = State::kDataCR;
        return Step{Status::kData, p + n, p, n, Error::kNone};
      }
      case State::kDataCR:
        if (c != '\r') return fail(Error::kBadChunk);
        state_ = State::kDataLF;
        ++p;
        break;
      case State::kDataLF:
        if (c != '\n') return fail(Error::kBadChunk);
        state_ = State::kSize;
        ++p;
        break;
      case State::kTrailerStart:
        if (c == '\r') {
          state_ = State::kFinalLF;
          ++p;
          break;
        }
        if (is_ows(c)) return fail(Error::kObsFold);
        if (!is_tchar(c)) return fail(Error::kBadHeaderName);
        trailer_line_in_name_ = true;
        state_ = State::kTrailerLine;
        break;  // re-read c as the first byte of the line
      case State::kTrailerLine:
        if (++trailer_bytes_ > max_trailer_) return fail(Error::kHeadersTooLarge);
        if (trailer_line_in_name_) {
          if (c == ':') {
            trailer_line_in_name_ = false;
          } else if (!is_tchar(c)) {
            return fail(Error::kBadHeaderName);
          }
        } else if (c == '\r') {
          state_ = State::kTrailerLF;
        } else if (!is_value_char(c)) {
          return fail(Error::kBadHeaderValue);
        }
        trailers_.push_back(c);
        ++p;
        break;
      case State::kTrailerLF:
        if (c != '\n') return fail(Error::kBareCR);
        trailers_.push_back(c);
        state_ = State::kTrailerStart;
        ++p;
        break;
      case State::kFinalLF:
        if (c != '\n') return fail(Error::kBareCR);
        state_ = State::kDone;
        return Step{Status::kDone, p + 1, 0, 0, Error::kNone};
      case State::kDone:
        return Step{Status::kDone, p, 0, 0, Error::kNone};
    }
  }
  if (state_ == State::kDone) return Step{Status::kDone, p, 0, 0, Error::kNone};
  return Step{Status::kNeedMore, p, 0, 0, Error::kNone};
}

}  // namespace fasterapi::http1
