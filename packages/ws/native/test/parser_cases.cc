// Runs frame parser specification files (test/cases/*.md, given as arguments): each "## " section is one case with a
// ```frames block (one client frame per line, see encode_line) and an ```expect block (one event
// per line: "message text|binary <payload>", "compressed <length>", "ping <payload>",
// "pong <payload>", "close <code> <reason>", "error <code>"). Every case is fed whole and then
// byte by byte; both must give exactly the expected events. Exit status 1 on any mismatch.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../src/parser.h"

using namespace fasterapi::ws;

namespace {

struct Case {
  std::string file;
  std::string title;
  ParserConfig config;
  std::vector<uint8_t> input;
  std::vector<std::string> expect;
};

// "a\x00b" style escapes in payloads: \xHH, \n, \\; {{repeat N c}} repeats one character.
std::string unescape(const std::string& raw) {
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw.compare(i, 9, "{{repeat ") == 0) {
      const size_t close = raw.find("}}", i);
      const size_t sp = raw.find(' ', i + 9);
      out.append(std::strtoul(raw.c_str() + i + 9, nullptr, 10), raw[sp + 1]);
      i = close + 1;
    } else if (raw[i] == '\\' && i + 3 < raw.size() + 1 && raw[i + 1] == 'x') {
      out += static_cast<char>(std::strtoul(raw.substr(i + 2, 2).c_str(), nullptr, 16));
      i += 3;
    } else if (raw[i] == '\\' && i + 1 < raw.size()) {
      out += raw[i + 1] == 'n' ? '\n' : raw[i + 1];
      ++i;
    } else {
      out += raw[i];
    }
  }
  return out;
}

// One frame: "<opcode> [fin=0] [rsv1] [rsv2] [unmasked] [code=N] [payload...]" where opcode is
// text, binary, cont, close, ping, pong or a number, and the payload is the rest of the line.
bool encode_line(const std::string& line, std::vector<uint8_t>& out) {
  std::istringstream words(line);
  std::string op, word;
  words >> op;
  const int opcode = op == "text" ? 1 : op == "binary" ? 2 : op == "cont" ? 0 : op == "close" ? 8
                   : op == "ping" ? 9 : op == "pong" ? 10 : std::atoi(op.c_str());
  bool fin = true, rsv1 = false, rsv2 = false, masked = true;
  std::string payload;
  while (words >> word) {
    if (word == "fin=0") fin = false;
    else if (word == "rsv1") rsv1 = true;
    else if (word == "rsv2") rsv2 = true;
    else if (word == "unmasked") masked = false;
    else if (word.rfind("code=", 0) == 0) {
      const unsigned long code = std::strtoul(word.c_str() + 5, nullptr, 10);
      payload += static_cast<char>(code >> 8);
      payload += static_cast<char>(code & 0xff);
    } else {
      std::string rest;
      std::getline(words, rest);
      payload += unescape(word + rest);
      break;
    }
  }
  out.push_back(static_cast<uint8_t>((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | (rsv2 ? 0x20 : 0) | opcode));
  const uint8_t m = masked ? 0x80 : 0;
  const size_t n = payload.size();
  if (n < 126) {
    out.push_back(static_cast<uint8_t>(m | n));
  } else if (n <= 0xffff) {
    out.push_back(m | 126);
    out.push_back(static_cast<uint8_t>(n >> 8));
    out.push_back(static_cast<uint8_t>(n));
  } else {
    out.push_back(m | 127);
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<uint8_t>(static_cast<uint64_t>(n) >> (8 * i)));
  }
  const uint8_t mask[4] = {0x37, 0xfa, 0x21, 0x3d};
  if (masked) out.insert(out.end(), mask, mask + 4);
  for (size_t i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(payload[i]) ^ (masked ? mask[i & 3] : 0));
  return true;
}

std::string describe(const Event& e) {
  const std::string data(reinterpret_cast<const char*>(e.data), e.data == nullptr ? 0 : e.len);
  switch (e.kind) {
    case EventKind::kMessage:
      if (e.compressed) return "compressed " + std::to_string(e.len);
      return std::string("message ") + (e.binary ? "binary " : "text ") + data;
    case EventKind::kPing: return "ping " + data;
    case EventKind::kPong: return "pong " + data;
    case EventKind::kClose: return "close " + std::to_string(e.code) + " " + data;
    case EventKind::kError: return "error " + std::to_string(e.code);
    case EventKind::kNeedMore: break;
  }
  return "?";
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

// Feeds the input `step` bytes at a time (0: whole), keeping unconsumed bytes like the engine.
std::vector<std::string> run(const Case& c, size_t step) {
  FrameParser parser(c.config);
  std::vector<std::string> events;
  std::vector<uint8_t> kept;
  size_t fed = 0;
  while (fed < c.input.size()) {
    const size_t n = step == 0 ? c.input.size() : std::min(step, c.input.size() - fed);
    kept.insert(kept.end(), c.input.begin() + static_cast<ptrdiff_t>(fed), c.input.begin() + static_cast<ptrdiff_t>(fed + n));
    fed += n;
    size_t pos = 0;
    for (;;) {
      const Event e = parser.next(kept.data() + pos, kept.size() - pos);
      pos += e.consumed;
      if (e.kind == EventKind::kNeedMore) break;
      events.push_back(trim(describe(e)));
      if (e.kind == EventKind::kError) return events;
    }
    kept.erase(kept.begin(), kept.begin() + static_cast<ptrdiff_t>(pos));
  }
  return events;
}

void load(const std::string& path, const std::string& name, std::vector<Case>& cases) {
  std::ifstream in(path);
  std::string line, block;
  Case* current = nullptr;
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.rfind("## ", 0) == 0) {
      cases.push_back(Case{name, line.substr(3), ParserConfig{}, {}, {}});
      current = &cases.back();
    } else if (current != nullptr && line.rfind("```", 0) == 0) {
      block = line.size() > 3 ? line.substr(3) : "";
    } else if (current != nullptr && block == "frames" && !line.empty()) {
      if (line.rfind("config ", 0) == 0) {
        current->config.deflate = line.find("deflate") != std::string::npos;
        const size_t at = line.find("max_payload=");
        if (at != std::string::npos) current->config.max_payload = std::strtoull(line.c_str() + at + 12, nullptr, 10);
      } else {
        encode_line(line, current->input);
      }
    } else if (current != nullptr && block == "expect" && !line.empty()) {
      current->expect.push_back(unescape(line));
    }
  }
}

}  // namespace

// Usage: parser_cases <case file>...
int main(int argc, char** argv) {
  std::vector<Case> cases;
  for (int i = 1; i < argc; ++i) load(argv[i], argv[i], cases);
  int failed = 0;
  for (const Case& c : cases) {
    for (const size_t step : {size_t{0}, size_t{1}}) {
      const std::vector<std::string> got = run(c, step);
      if (got == c.expect) continue;
      ++failed;
      std::printf("FAIL %s: %s (%s)\n", c.file.c_str(), c.title.c_str(), step == 0 ? "whole" : "byte by byte");
      for (const std::string& g : got) std::printf("  got: %s\n", g.c_str());
      for (const std::string& x : c.expect) std::printf("  expected: %s\n", x.c_str());
    }
  }
  std::printf("%zu cases, %d failed\n", cases.size(), failed);
  return failed == 0 ? 0 : 1;
}
