// Response-head serialisation: see response_head.h. Appends into a caller-owned std::string
// whose capacity is reused across responses, so steady-state serving does not allocate.
#include "response_head.h"

#include <charconv>
#include <cstring>

namespace fasterapi::http1 {
namespace {

// RFC 9110 tchar, as a table: checked for every byte of every response header name.
struct TokenTable {
  bool ok[256] = {};
  constexpr TokenTable() {
    for (int c = '0'; c <= '9'; ++c) ok[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) ok[c] = ok[c - 32] = true;
    for (const char* p = "!#$%&'*+-.^_`|~"; *p != 0; ++p) ok[static_cast<unsigned char>(*p)] = true;
  }
};
constexpr TokenTable kToken;

bool ieq(const char* a, size_t a_len, const char* lit) {
  const size_t n = std::strlen(lit);
  if (a_len != n) return false;
  for (size_t i = 0; i < n; ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
    if (c != lit[i]) return false;
  }
  return true;
}

// Does a Connection value list contain "close"?
bool has_close_token(const char* v, size_t len) {
  size_t i = 0;
  while (i < len) {
    while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ',')) ++i;
    const size_t start = i;
    while (i < len && v[i] != ',') ++i;
    size_t end = i;
    while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t')) --end;
    if (ieq(v + start, end - start, "close")) return true;
  }
  return false;
}

// A token name and a value without CR, LF or NUL: nothing the caller sends can split the message.
bool valid_field(const char* name, size_t name_len, const char* value, size_t value_len) {
  if (name_len == 0) return false;
  for (size_t i = 0; i < name_len; ++i)
    if (!kToken.ok[static_cast<unsigned char>(name[i])]) return false;
  for (size_t i = 0; i < value_len; ++i) {
    const char c = value[i];
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

// Fields a trailer must not carry (RFC 9110 6.5.1), the same list as @fasterapi/core's reply.trailer():
// framing, routing, authentication, controls and the content's metadata are needed before the body.
constexpr const char* kForbiddenTrailers[] = {
    "content-length", "content-type", "content-encoding", "content-range", "transfer-encoding", "host",
    "connection",     "keep-alive",   "te",               "trailer",       "upgrade",           "authorization",
    "set-cookie",     "cache-control", "expect",          "max-forwards",  "pragma",            "range",
};

void append_uint(std::string& out, uint64_t n) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out.append(digits, static_cast<size_t>(end - digits));
}

}  // namespace

// RFC 9110 / IANA reason phrases; a test checks this table against @fasterapi/core's REASON_PHRASES.
const char* reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 102: return "Processing";
    case 103: return "Early Hints";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 203: return "Non-Authoritative Information";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 206: return "Partial Content";
    case 207: return "Multi-Status";
    case 208: return "Already Reported";
    case 226: return "IM Used";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 305: return "Use Proxy";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Content";
    case 423: return "Locked";
    case 424: return "Failed Dependency";
    case 425: return "Too Early";
    case 426: return "Upgrade Required";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 451: return "Unavailable For Legal Reasons";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    case 506: return "Variant Also Negotiates";
    case 507: return "Insufficient Storage";
    case 508: return "Loop Detected";
    case 511: return "Network Authentication Required";
    default: return "";
  }
}

void ResponseHead::begin(std::string& out, int status) {
  caller_close_ = false;
  caller_date_ = false;
  caller_content_length_ = -1;
  out.clear();
  out.append("HTTP/1.1 ", 9);
  append_uint(out, static_cast<uint64_t>(status));
  out.push_back(' ');
  out.append(reason_phrase(status));
  out.append("\r\n", 2);
}

bool ResponseHead::add(std::string& out, const char* name, size_t name_len, const char* value, size_t value_len) {
  if (!valid_field(name, name_len, value, value_len)) return false;
  switch (name_len) {
    case 4:
      if (ieq(name, name_len, "date")) caller_date_ = true;
      break;
    case 10:
      if (ieq(name, name_len, "connection")) {
        caller_close_ = caller_close_ || has_close_token(value, value_len);
        return true;  // written by finish()
      }
      break;
    case 14:
      if (ieq(name, name_len, "content-length")) {
        int64_t n = 0;
        for (size_t i = 0; i < value_len; ++i) {
          if (value[i] < '0' || value[i] > '9' || n > (int64_t{1} << 53)) return false;
          n = n * 10 + (value[i] - '0');
        }
        if (value_len == 0) return false;
        caller_content_length_ = n;
        return true;  // framing is ours: written by finish()
      }
      break;
    case 17:
      if (ieq(name, name_len, "transfer-encoding")) return true;  // framing is ours
      break;
    default:
      break;
  }
  out.append(name, name_len);
  out.append(": ", 2);
  out.append(value, value_len);
  out.append("\r\n", 2);
  return true;
}

bool ResponseHead::finish(std::string& out, Framing framing, uint64_t content_length, bool keep_alive,
                          DateCache& date) {
  if (framing == Framing::kContentLength) {
    out.append("Content-Length: ", 16);
    append_uint(out, content_length);
    out.append("\r\n", 2);
  } else if (framing == Framing::kChunked) {
    out.append("Transfer-Encoding: chunked\r\n", 28);
  }
  if (!caller_date_) {
    out.append("Date: ", 6);
    out.append(date.get(), DateCache::kLength);
    out.append("\r\n", 2);
  }
  const bool alive = keep_alive && !caller_close_;
  // Always explicit: HTTP/1.0 clients need "keep-alive" to reuse, and it costs 24 bytes.
  if (alive) out.append("Connection: keep-alive\r\n", 24);
  else out.append("Connection: close\r\n", 19);
  out.append("\r\n", 2);
  return alive;
}

bool append_trailer(std::string& out, const char* name, size_t name_len, const char* value, size_t value_len) {
  if (!valid_field(name, name_len, value, value_len)) return false;
  for (const char* forbidden : kForbiddenTrailers)
    if (ieq(name, name_len, forbidden)) return false;
  out.append(name, name_len);
  out.append(": ", 2);
  out.append(value, value_len);
  out.append("\r\n", 2);
  return true;
}

void ResponseHead::finish_upgrade(std::string& out, const char* protocol, size_t protocol_len, DateCache& date) {
  out.append("Upgrade: ", 9);
  out.append(protocol, protocol_len);
  out.append("\r\nConnection: Upgrade\r\n", 23);
  if (!caller_date_) {
    out.append("Date: ", 6);
    out.append(date.get(), DateCache::kLength);
    out.append("\r\n", 2);
  }
  out.append("\r\n", 2);
}

}  // namespace fasterapi::http1
