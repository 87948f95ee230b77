// Runs the parser specification in test/cases/*.md: each "## " section is one case with an
// ```http block (the request bytes, escapes interpreted, real newlines ignored) and an
// ```expect block of "key: value" lines. Every case is also replayed byte by byte to check
// that incremental parsing reaches the same verdict. Exit status 1 on any mismatch.
#include <dirent.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../src/parser.h"

using namespace fasterapi::http1;

// @fasterapi/http1's default limits (http1-options.ts): the cases' 414 and 431 verdicts assume them.
constexpr Limits kLimits{8 * 1024, 16 * 1024, 100};

namespace {

struct Case {
  std::string file;
  std::string title;
  std::string input;
  std::vector<std::pair<std::string, std::string>> expect;
};

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Escapes: \r \n \t \0 \\ \xHH, and {{repeat N text}} for long inputs.
bool unescape(const std::string& raw, std::string& out, std::string& err) {
  for (size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '\n') continue;
    if (c == '{' && raw.compare(i, 9, "{{repeat ") == 0) {
      const size_t close = raw.find("}}", i);
      if (close == std::string::npos) return err = "unterminated {{repeat", false;
      const std::string body = raw.substr(i + 9, close - i - 9);
      const size_t sp = body.find(' ');
      const long n = std::strtol(body.c_str(), nullptr, 10);
      std::string unit;
      if (sp == std::string::npos || n <= 0 || !unescape(body.substr(sp + 1), unit, err)) return err = "bad {{repeat", false;
      for (long k = 0; k < n; ++k) out += unit;
      i = close + 1;
      continue;
    }
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= raw.size()) return err = "trailing backslash", false;
    switch (raw[i]) {
      case 'r': out += '\r'; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case '0': out += '\0'; break;
      case '\\': out += '\\'; break;
      case 'x': {
        if (i + 2 >= raw.size() + 0 || hex_digit(raw[i + 1]) < 0 || hex_digit(raw[i + 2]) < 0) return err = "bad \\x", false;
        out += static_cast<char>(hex_digit(raw[i + 1]) * 16 + hex_digit(raw[i + 2]));
        i += 2;
        break;
      }
      default: return err = std::string("unknown escape \\") + raw[i], false;
    }
  }
  return true;
}

bool load_cases(const std::string& path, const std::string& name, std::vector<Case>& cases) {
  std::ifstream in(path);
  std::string line, block, fence;
  Case* cur = nullptr;
  bool in_block = false;
  while (std::getline(in, line)) {
    if (in_block) {
      if (line == "```") {
        in_block = false;
        if (cur == nullptr) continue;
        if (fence == "http") {
          std::string err;
          if (!unescape(block, cur->input, err)) {
            std::fprintf(stderr, "%s: %s: %s\n", name.c_str(), cur->title.c_str(), err.c_str());
            return false;
          }
        } else if (fence == "expect") {
          std::istringstream lines(block);
          std::string l;
          while (std::getline(lines, l)) {
            const size_t colon = l.find(": ");
            if (l.empty()) continue;
            if (colon == std::string::npos) {
              std::fprintf(stderr, "%s: %s: bad expect line '%s'\n", name.c_str(), cur->title.c_str(), l.c_str());
              return false;
            }
            cur->expect.emplace_back(l.substr(0, colon), l.substr(colon + 2));
          }
        }
        continue;
      }
      block += line;
      block += '\n';
      continue;
    }
    if (line.rfind("## ", 0) == 0) {
      cases.push_back(Case{name, line.substr(3), {}, {}});
      cur = &cases.back();
    } else if (line.rfind("```", 0) == 0) {
      in_block = true;
      fence = line.substr(3);
      block.clear();
    }
  }
  return true;
}

std::string span_str(const std::string& buf, Span s) { return buf.substr(s.off, s.len); }

// Everything a case can assert, rendered as strings so comparisons are uniform.
struct Outcome {
  std::vector<std::pair<std::string, std::string>> fields;
  void add(const std::string& k, const std::string& v) { fields.emplace_back(k, v); }
};

const char* body_kind(BodyKind k) {
  switch (k) {
    case BodyKind::kNone: return "none";
    case BodyKind::kLength: return "length";
    case BodyKind::kChunked: return "chunked";
  }
  return "?";
}

// Feeds the chunked body either all at once or byte by byte.
void decode_chunked(const std::string& body, bool bytewise, Outcome& out) {
  ChunkedDecoder dec;
  std::string data;
  size_t pos = 0;
  size_t avail = bytewise ? std::min<size_t>(1, body.size()) : body.size();
  for (;;) {
    const ChunkedDecoder::Step s = dec.step(body.data() + pos, avail - pos);
    if (s.status == ChunkedDecoder::Status::kData) data.append(body, pos + s.data_off, s.data_len);
    pos += s.consumed;
    if (s.status == ChunkedDecoder::Status::kError) {
      out.add("body-result", "error");
      out.add("body-error", error_name(s.error));
      return;
    }
    if (s.status == ChunkedDecoder::Status::kDone) {
      out.add("body-result", "done");
      out.add("body-data", data);
      out.add("body-rest", std::to_string(body.size() - pos));
      const std::string& trailers = dec.trailers();
      for (size_t at = 0; at < trailers.size();) {  // one "body-trailer" per field line, without its CRLF
        const size_t end = trailers.find("\r\n", at);
        out.add("body-trailer", trailers.substr(at, end - at));
        at = end + 2;
      }
      return;
    }
    if (s.status == ChunkedDecoder::Status::kNeedMore) {
      if (avail == body.size()) {
        out.add("body-result", "incomplete");
        out.add("body-data", data);
        return;
      }
      avail = bytewise ? avail + 1 : body.size();
    }
  }
}

Outcome run(const std::string& input, bool bytewise) {
  Outcome out;
  Request req;
  size_t scanned = 0;
  ParseResult r{0, Error::kNone};
  // Byte by byte: every prefix must be "incomplete" until the verdict, which must then hold.
  for (size_t n = bytewise ? 0 : input.size(); n <= input.size(); ++n) {
    r = parse_request(input.data(), n, kLimits, req, scanned);
    if (!r.incomplete()) break;
  }
  if (r.error != Error::kNone) {
    out.add("result", "error");
    out.add("error", error_name(r.error));
    out.add("status", std::to_string(error_status(r.error)));
    return out;
  }
  if (r.incomplete()) {
    out.add("result", "incomplete");
    return out;
  }
  out.add("result", "ok");
  out.add("consumed", std::to_string(r.consumed));
  out.add("method", span_str(input, req.method));
  out.add("target", span_str(input, req.target));
  out.add("path", (req.path_needs_slash ? "/" : "") + span_str(input, req.path));
  out.add("version", req.version_minor == 1 ? "1.1" : "1.0");
  out.add("keep-alive", req.keep_alive ? "true" : "false");
  out.add("expect-continue", req.expect_continue ? "true" : "false");
  out.add("upgrade", req.upgrade ? "true" : "false");
  out.add("body", body_kind(req.body));
  out.add("content-length", std::to_string(req.content_length));
  out.add("headers", std::to_string(req.num_headers));
  for (uint32_t i = 0; i < req.num_headers; ++i)
    out.add("header", span_str(input, req.headers[i].name) + ": " + span_str(input, req.headers[i].value));
  if (req.body == BodyKind::kChunked) decode_chunked(input.substr(r.consumed), bytewise, out);
  return out;
}

// Each expected key must match the outcome; repeated keys ("header") match in order.
bool check(const Case& c, const Outcome& o, const char* mode) {
  bool ok = true;
  std::vector<size_t> used(o.fields.size(), 0);
  for (const auto& [k, v] : c.expect) {
    bool found = false;
    for (size_t i = 0; i < o.fields.size(); ++i) {
      if (used[i] || o.fields[i].first != k) continue;
      used[i] = 1;
      found = true;
      if (o.fields[i].second != v) {
        std::printf("FAIL %s: %s (%s): %s: expected '%s', got '%s'\n", c.file.c_str(), c.title.c_str(), mode,
                    k.c_str(), v.c_str(), o.fields[i].second.c_str());
        ok = false;
      }
      break;
    }
    if (!found) {
      std::string result;
      for (const auto& [fk, fv] : o.fields)
        if (fk == "result" || fk == "error") result += fk + "=" + fv + " ";
      std::printf("FAIL %s: %s (%s): no '%s' in outcome (%s)\n", c.file.c_str(), c.title.c_str(), mode, k.c_str(),
                  result.c_str());
      ok = false;
    }
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "test/cases";
  std::vector<std::string> files;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string n = e->d_name;
      if (n.size() > 3 && n.compare(n.size() - 3, 3, ".md") == 0) files.push_back(n);
    }
    closedir(d);
  }
  std::sort(files.begin(), files.end());
  std::vector<Case> cases;
  for (const auto& f : files)
    if (!load_cases(dir + "/" + f, f, cases)) return 2;
  if (cases.empty()) {
    std::fprintf(stderr, "no cases found in %s\n", dir.c_str());
    return 2;
  }
  size_t failed = 0;
  for (const auto& c : cases) {
    if (c.expect.empty()) {
      std::printf("FAIL %s: %s: case has no expect block\n", c.file.c_str(), c.title.c_str());
      ++failed;
      continue;
    }
    const bool ok = check(c, run(c.input, false), "whole") && check(c, run(c.input, true), "byte by byte");
    if (!ok) ++failed;
  }
  std::printf("%zu cases, %zu failed\n", cases.size(), failed);
  return failed == 0 ? 0 : 1;
}
