// libFuzzer driver for the HTTP/1.1 parser and chunked decoder. Besides crashes and sanitizer
// reports it checks invariants: feeding the bytes whole or split must give the same verdict,
// every span lies inside the consumed head, and the chunked decoder never over-consumes and keeps
// the same trailer section however the body is split.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "../src/parser.h"

using namespace fasterapi::http1;

// @fasterapi/http1's default limits (http1-options.ts).
constexpr Limits kLimits{8 * 1024, 16 * 1024, 100};

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

bool same_verdict(const ParseResult& a, const ParseResult& b) { return a.consumed == b.consumed && a.error == b.error; }

void check_span(Span s, uint32_t limit) { require(static_cast<uint64_t>(s.off) + s.len <= limit); }

void decode_body(const uint8_t* data, size_t size, size_t split) {
  ChunkedDecoder whole_dec, split_dec;
  // Whole buffer at once.
  size_t pos = 0, whole_data = 0;
  ChunkedDecoder::Step s{};
  for (;;) {
    s = whole_dec.step(reinterpret_cast<const char*>(data) + pos, size - pos);
    require(s.consumed <= size - pos);
    if (s.status == ChunkedDecoder::Status::kData) {
      require(s.data_len > 0 && s.data_off + s.data_len <= s.consumed);
      whole_data += s.data_len;
    }
    pos += s.consumed;
    if (s.status != ChunkedDecoder::Status::kData) break;
  }
  // The same bytes in two reads must decode to the same amount and verdict.
  size_t pos2 = 0, avail = split, split_data = 0;
  ChunkedDecoder::Step t{};
  for (;;) {
    t = split_dec.step(reinterpret_cast<const char*>(data) + pos2, avail - pos2);
    if (t.status == ChunkedDecoder::Status::kData) split_data += t.data_len;
    pos2 += t.consumed;
    if (t.status == ChunkedDecoder::Status::kNeedMore && avail < size) {
      avail = size;
      continue;
    }
    if (t.status != ChunkedDecoder::Status::kData) break;
  }
  require(s.status == t.status && whole_data == split_data);
  // The kept trailer section is bounded and does not depend on how the bytes arrived.
  require(whole_dec.trailers().size() <= 16 * 1024);
  if (s.status == ChunkedDecoder::Status::kDone) require(whole_dec.trailers() == split_dec.trailers());
  if (s.status != ChunkedDecoder::Status::kError) require(pos == pos2);  // consumed is moot on error
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* buf = reinterpret_cast<const char*>(data);
  static Request whole, part;  // static: Request is ~1 KiB of spans, no need to zero it per run

  size_t scanned = 0;
  const ParseResult r = parse_request(buf, size, kLimits, whole, scanned);
  require(r.consumed <= size);

  // Split at a point derived from the input: prefix first, then the whole buffer.
  const size_t split = size == 0 ? 0 : (data[0] * 131u + size) % (size + 1);
  size_t scanned2 = 0;
  const ParseResult p1 = parse_request(buf, split, kLimits, part, scanned2);
  if (p1.incomplete()) {
    const ParseResult p2 = parse_request(buf, size, kLimits, part, scanned2);
    require(same_verdict(r, p2));
  } else if (p1.error == Error::kNone) {
    require(r.error == Error::kNone && p1.consumed == r.consumed);  // a complete head stays complete
  } else if (r.error != Error::kNone) {
    require(p1.error == r.error);
  }

  if (r.consumed > 0) {
    require(error_status(r.error) == 0);
    check_span(whole.method, r.consumed);
    check_span(whole.target, r.consumed);
    check_span(whole.path, r.consumed);
    require(whole.method.len > 0 && whole.target.len > 0);
    require(whole.num_headers <= kMaxHeaders);
    for (uint32_t i = 0; i < whole.num_headers; ++i) {
      check_span(whole.headers[i].name, r.consumed);
      check_span(whole.headers[i].value, r.consumed);
      require(whole.headers[i].name.len > 0);
    }
    if (whole.body == BodyKind::kChunked) {
      const size_t rest = size - r.consumed;
      decode_body(data + r.consumed, rest, rest == 0 ? 0 : split % (rest + 1));
    }
  } else if (r.error != Error::kNone) {
    const int status = error_status(r.error);
    require(status >= 400 && status < 600);
  }
  // Bodies of any shape, independent of a valid head: the first byte only picks the split.
  if (size > 1 && (data[0] & 1)) decode_body(data + 1, size - 1, split > 0 ? split - 1 : 0);
  return 0;
}
