// libFuzzer driver for the WebSocket frame parser. Besides crashes and sanitizer reports it
// checks invariants: the bytes fed whole, in two pieces, or one byte at a time, with or without
// a MessageSink to unmask whole messages into, give the same events; consumed never exceeds the input; a message never exceeds max_payload; uncompressed
// text messages and close reasons are valid UTF-8.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "../src/close_code.h"
#include "../src/parser.h"

using namespace fasterapi::ws;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

// Caller memory for whole messages, like the module's event blocks; fresh for every message.
class TestSink final : public MessageSink {
 public:
  uint8_t* reserve(size_t len) override {
    room_.assign(len, 0xAA);
    return room_.data();
  }
  const uint8_t* data() const { return room_.data(); }

 private:
  std::vector<uint8_t> room_;
};

// Feeds `data` in pieces of at most `step` bytes (0: the first `split` bytes, then the rest),
// keeping unconsumed bytes like the engine does, and returns a transcript of the events.
std::string run(const uint8_t* data, size_t size, const ParserConfig& config, size_t step, size_t split,
                TestSink* sink = nullptr) {
  FrameParser parser(config);
  std::string transcript;
  std::vector<uint8_t> kept;
  size_t fed = 0;
  while (fed < size || !kept.empty()) {
    const size_t piece = step != 0 ? step : (fed == 0 ? split : size - fed);
    const size_t n = fed + piece > size ? size - fed : piece;
    kept.insert(kept.end(), data + fed, data + fed + n);
    fed += n;
    size_t pos = 0;
    for (;;) {
      const Event event = parser.next(kept.data() + pos, kept.size() - pos, sink);
      if (event.in_sink) require(sink != nullptr && event.data == sink->data());
      require(event.consumed <= kept.size() - pos);
      pos += event.consumed;
      if (event.kind == EventKind::kNeedMore) break;
      transcript += static_cast<char>('0' + static_cast<int>(event.kind));
      transcript += std::to_string(event.code) + ":" + std::to_string(event.len) + ";";
      if (event.kind == EventKind::kMessage) {
        require(event.len <= config.max_payload);
        if (!event.binary && !event.compressed) require(is_valid_utf8(event.data, event.len));
        transcript.append(reinterpret_cast<const char*>(event.data), event.len);
      }
      if (event.kind == EventKind::kClose) require(event.code == kCloseNoStatus || is_valid_wire_close_code(event.code));
      if (event.kind == EventKind::kError) return transcript;
    }
    kept.erase(kept.begin(), kept.begin() + static_cast<ptrdiff_t>(pos));
    if (n == 0) break;  // no progress possible: the rest is an unfinished frame
  }
  return transcript;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // The first byte picks the configuration, the rest is the client's byte stream.
  ParserConfig config;
  config.deflate = (data[0] & 1) != 0;
  config.max_payload = (data[0] & 2) != 0 ? 64 : 1 << 20;
  const uint8_t* stream = data + 1;
  const size_t len = size - 1;
  const std::string whole = run(stream, len, config, 0, len);
  require(run(stream, len, config, 1, 0) == whole);
  require(run(stream, len, config, 0, len / 2) == whole);
  TestSink sink;
  require(run(stream, len, config, 0, len, &sink) == whole);
  require(run(stream, len, config, 0, len / 2, &sink) == whole);
  return 0;
}
