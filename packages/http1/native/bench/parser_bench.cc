// Micro-benchmark of parse_request on typical heads (a curl-like GET, a browser-like GET with
// long header values, a small POST). Prints ns per request and MB/s; used to decide whether
// vectorised scanning pays (see README). Not a test: nothing here asserts a speed.
#include <time.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "../src/parser.h"

using namespace fasterapi::http1;

// @fasterapi/http1's default limits (http1-options.ts), as a server runs with them.
constexpr Limits kLimits{8 * 1024, 16 * 1024, 100};

namespace {

const char* kCurl = "GET /items/42?expand=true HTTP/1.1\r\nHost: localhost:8000\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";

const char* kBrowser =
    "GET /static/app/bundle.min.js?v=20261127 HTTP/1.1\r\n"
    "Host: www.example.com\r\n"
    "Connection: keep-alive\r\n"
    "sec-ch-ua: \"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\"\r\n"
    "sec-ch-ua-mobile: ?0\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\n"
    "sec-ch-ua-platform: \"Linux\"\r\n"
    "Accept: */*\r\n"
    "Sec-Fetch-Site: same-origin\r\n"
    "Sec-Fetch-Mode: no-cors\r\n"
    "Sec-Fetch-Dest: script\r\n"
    "Referer: https://www.example.com/dashboard/overview?tab=metrics&range=7d\r\n"
    "Accept-Encoding: gzip, deflate, br, zstd\r\n"
    "Accept-Language: en-GB,en-US;q=0.9,en;q=0.8,fr;q=0.7\r\n"
    "Cookie: session=3f1c9b2a7e4d4c7f9a1b2c3d4e5f6a7b; theme=dark; _ga=GA1.1.123456789.1700000000; "
    "_gid=GA1.1.987654321.1700000000; prefs=%7B%22lang%22%3A%22en%22%7D\r\n"
    "\r\n";

const char* kPost =
    "POST /items HTTP/1.1\r\nHost: localhost:8000\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n";

// Thread CPU time (not wall time), minimum over many short batches: on a shared machine these
// are the figures least disturbed by other processes.
double cpu_ns() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

void run(const char* name, const char* head) {
  const size_t len = std::strlen(head);
  Request req;
  const int batches = 40, per_batch = 50'000;
  size_t sink = 0;
  double best = 1e300;
  for (int b = 0; b < batches; ++b) {
    const double start = cpu_ns();
    for (int i = 0; i < per_batch; ++i) {
      size_t scanned = 0;
      const ParseResult r = parse_request(head, len, kLimits, req, scanned);
      sink += r.consumed + req.num_headers;
    }
    const double ns = cpu_ns() - start;
    if (ns / per_batch < best) best = ns / per_batch;
  }
  std::printf("%-8s %4zu bytes  %7.1f ns/request  %7.0f MB/s  (%zu)\n", name, len, best, len / best * 1e3,
              sink % 7);
}

}  // namespace

int main() {
  run("curl", kCurl);
  run("browser", kBrowser);
  run("post", kPost);
  return 0;
}
