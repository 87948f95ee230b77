// wsload: the WebSocket load generator of `pnpm bench ws` (echo and fan-out), one thread on epoll
// (pin it with taskset). It speaks raw RFC 6455: each client frame is built (masked, and deflated
// for compression) once at start and written again and again; server frames are only counted by
// walking their headers, never unmasked, inflated or copied. That keeps it far cheaper per
// message than any server it measures (a Node client of the same design ran out of CPU near
// 1 GB/s of 16 KiB echo); it prints its own CPU use so every run shows it was not the bottleneck.
// Usage: wsload echo --port N [--connections 16] [--inflight 64] [--size 32] [--compress]
//        wsload fanout --port N [--subscribers 1000] [--size 32] [--window 16]
//        common: [--duration 10] [--warmup 3]. Prints one JSON line: { messagesPerSec, clientCpuPercent }.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

struct Options {
  std::string mode;
  int port = 0;
  int connections = 16;
  int inflight = 64;
  size_t size = 32;
  bool compress = false;
  int subscribers = 1000;
  int window = 16;
  double duration = 10;
  double warmup = 3;
};

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "wsload: %s: %s\n", what, std::strerror(errno));
  std::exit(1);
}

double now_sec() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double cpu_sec() {
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

std::mt19937 rng(12345);

/** A masked client text frame of `size` bytes of 'a', deflated first (RSV1) with `compress`. */
std::string client_frame(size_t size, bool compress) {
  std::string payload(size, 'a');
  uint8_t first = 0x81;
  if (compress) {
    z_stream z{};
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) die("deflateInit2");
    std::string out(size + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(payload.data());
    z.avail_in = static_cast<uInt>(size);
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    if (deflate(&z, Z_SYNC_FLUSH) != Z_OK) die("deflate");
    out.resize(out.size() - z.avail_out - 4);  // without the 00 00 FF FF tail (RFC 7692)
    deflateEnd(&z);
    payload = out;
    first |= 0x40;
  }
  std::string frame;
  frame.push_back(static_cast<char>(first));
  const size_t len = payload.size();
  if (len < 126) {
    frame.push_back(static_cast<char>(0x80 | len));
  } else if (len < 65536) {
    frame.push_back(static_cast<char>(0x80 | 126));
    frame.push_back(static_cast<char>(len >> 8));
    frame.push_back(static_cast<char>(len & 0xff));
  } else {
    std::fprintf(stderr, "wsload: frames stay under 64 KiB\n");
    std::exit(2);
  }
  uint8_t mask[4];
  for (uint8_t& b : mask) b = static_cast<uint8_t>(rng());
  frame.append(reinterpret_cast<const char*>(mask), 4);
  for (size_t i = 0; i < len; ++i) frame.push_back(static_cast<char>(payload[i] ^ mask[i & 3]));
  return frame;
}

/** Counts complete server frames in a byte stream (headers only; payloads are skipped). */
class FrameCounter {
 public:
  uint64_t count(const uint8_t* data, size_t len) {
    uint64_t frames = 0;
    size_t at = 0;
    if (skip_ > 0) {
      const uint64_t taken = skip_ < len ? skip_ : len;
      skip_ -= taken;
      at = static_cast<size_t>(taken);
      if (skip_ == 0) ++frames;
    }
    while (at < len) {
      size_t header = 0;
      uint64_t payload = 0;
      if (held_ > 0) {
        // The previous read cut a header: complete it from this one.
        uint8_t joined[10];
        const size_t take = std::min<size_t>(10 - held_, len - at);
        std::memcpy(joined, head_, held_);
        std::memcpy(joined + held_, data + at, take);
        if (!parse(joined, held_ + take, &header, &payload)) {
          std::memcpy(head_ + held_, data + at, take);
          held_ += take;
          return frames;
        }
        at += header - held_;
        held_ = 0;
      } else {
        if (!parse(data + at, len - at, &header, &payload)) {
          held_ = len - at;
          std::memcpy(head_, data + at, held_);
          return frames;
        }
        at += header;
      }
      if (payload <= len - at) {
        at += static_cast<size_t>(payload);
        ++frames;
      } else {
        skip_ = payload - (len - at);
        return frames;
      }
    }
    return frames;
  }

 private:
  static bool parse(const uint8_t* p, size_t avail, size_t* header, uint64_t* payload) {
    if (avail < 2) return false;
    uint64_t n = p[1] & 0x7f;
    size_t h = 2;
    if (n == 126) {
      if (avail < 4) return false;
      n = (static_cast<uint64_t>(p[2]) << 8) | p[3];
      h = 4;
    } else if (n == 127) {
      if (avail < 10) return false;
      n = 0;
      for (int i = 0; i < 8; ++i) n = (n << 8) | p[2 + i];
      h = 10;
    }
    *header = h;
    *payload = n;
    return true;
  }

  uint64_t skip_ = 0;  // payload bytes of the current frame still to come
  uint8_t head_[10];
  size_t held_ = 0;    // bytes of a cut header in head_
};

int handshake(int port, const char* path, bool compress) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) die("connect");
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  std::string request = std::string("GET ") + path +
                        " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
  if (compress) {
    request += "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; server_no_context_takeover\r\n";
  }
  request += "\r\n";
  if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) die("write handshake");
  // Byte by byte up to the blank line, so no frame byte after the 101 is swallowed here.
  std::string head;
  char c;
  while (head.size() < 4 || head.compare(head.size() - 4, 4, "\r\n\r\n") != 0) {
    if (read(fd, &c, 1) != 1) die("read handshake");
    head.push_back(c);
  }
  if (head.compare(0, 12, "HTTP/1.1 101") != 0) {
    std::fprintf(stderr, "wsload: handshake refused: %s\n", head.substr(0, head.find('\r')).c_str());
    std::exit(1);
  }
  return fd;
}

void set_nonblocking(int fd) {
  if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) die("fcntl");
}

/** One connection that writes copies of `frame` whenever it owes some. */
struct Conn {
  int fd = -1;
  FrameCounter counter;
  const std::string* burst = nullptr;  // `inflight` (or `window`) copies of the frame
  size_t frame_len = 0;
  uint64_t written = 0;  // bytes of the endless frame sequence written so far
  uint64_t owed = 0;     // bytes to write next
  bool want_out = false;
};

class Loop {
 public:
  Loop() : ep_(epoll_create1(0)) {
    if (ep_ < 0) die("epoll_create1");
  }
  void add(Conn* c) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = c;
    if (epoll_ctl(ep_, EPOLL_CTL_ADD, c->fd, &ev) != 0) die("epoll_ctl");
  }
  /** Writes what `c` owes; waits for EPOLLOUT when the socket is full. */
  void flush(Conn* c) {
    while (c->owed > 0) {
      const size_t off = static_cast<size_t>(c->written % c->frame_len);
      const size_t n = std::min<uint64_t>(c->owed, c->burst->size() - off);
      const ssize_t w = write(c->fd, c->burst->data() + off, n);
      if (w < 0) {
        if (errno != EAGAIN) die("write");
        break;
      }
      c->written += static_cast<uint64_t>(w);
      c->owed -= static_cast<uint64_t>(w);
    }
    const bool want = c->owed > 0;
    if (want == c->want_out) return;
    c->want_out = want;
    epoll_event ev{};
    ev.events = want ? EPOLLIN | EPOLLOUT : EPOLLIN;
    ev.data.ptr = c;
    epoll_ctl(ep_, EPOLL_CTL_MOD, c->fd, &ev);
  }
  /** Runs until `until` (monotonic seconds); `on_frames(c, n)` hears of answers. */
  template <typename F>
  void run(double until, F on_frames) {
    epoll_event events[256];
    while (now_sec() < until) {
      const int n = epoll_wait(ep_, events, 256, 5);
      for (int i = 0; i < n; ++i) {
        Conn* c = static_cast<Conn*>(events[i].data.ptr);
        if ((events[i].events & EPOLLIN) != 0) {
          for (;;) {
            const ssize_t r = read(c->fd, buf_, sizeof buf_);
            if (r == 0) {
              std::fprintf(stderr, "wsload: the server closed a connection\n");
              std::exit(1);
            }
            if (r < 0) {
              if (errno != EAGAIN) die("read");
              break;
            }
            const uint64_t frames = c->counter.count(buf_, static_cast<size_t>(r));
            if (frames > 0) on_frames(c, frames);
            if (static_cast<size_t>(r) < sizeof buf_) break;
          }
        }
        if ((events[i].events & EPOLLOUT) != 0) flush(c);
      }
      on_frames(nullptr, 0);
    }
  }

 private:
  int ep_;
  uint8_t buf_[256 * 1024];
};

struct Result {
  double per_sec;
  double cpu_percent;
};

/** Runs the warm-up, then measures `count()` over the timed window. */
template <typename F, typename C>
Result measure(const Options& o, Loop& loop, F on_frames, C count) {
  loop.run(now_sec() + o.warmup, on_frames);
  const uint64_t before = count();
  const double cpu0 = cpu_sec();
  const double t0 = now_sec();
  loop.run(t0 + o.duration, on_frames);
  const double seconds = now_sec() - t0;
  return Result{static_cast<double>(count() - before) / seconds, 100.0 * (cpu_sec() - cpu0) / seconds};
}

Result echo(const Options& o) {
  const std::string frame = client_frame(o.size, o.compress);
  std::string burst;
  for (int i = 0; i < o.inflight; ++i) burst += frame;
  Loop loop;
  std::vector<Conn> conns(static_cast<size_t>(o.connections));
  for (Conn& c : conns) {
    c.fd = handshake(o.port, "/echo", o.compress);
    set_nonblocking(c.fd);
    c.burst = &burst;
    c.frame_len = frame.size();
    loop.add(&c);
  }
  uint64_t received = 0;
  for (Conn& c : conns) {
    c.owed = burst.size();
    loop.flush(&c);
  }
  // Each answer is replaced by one more message: `inflight` stay outstanding per connection.
  auto on_frames = [&](Conn* c, uint64_t n) {
    if (c == nullptr) return;
    received += n;
    c->owed += n * c->frame_len;
    loop.flush(c);
  };
  return measure(o, loop, on_frames, [&] { return received; });
}

Result fanout(const Options& o) {
  Loop loop;
  std::vector<Conn> subs(static_cast<size_t>(o.subscribers));
  for (Conn& c : subs) {
    c.fd = handshake(o.port, "/fanout?role=sub", false);
    set_nonblocking(c.fd);
    loop.add(&c);
  }
  const std::string frame = client_frame(o.size, false);
  std::string burst;
  for (int i = 0; i < o.window; ++i) burst += frame;
  Conn pub;
  pub.fd = handshake(o.port, "/fanout?role=pub", false);
  set_nonblocking(pub.fd);
  pub.burst = &burst;
  pub.frame_len = frame.size();
  loop.add(&pub);
  uint64_t delivered = 0;
  uint64_t published = 0;
  // Keeps `window` messages published but not yet delivered to every subscriber.
  auto on_frames = [&](Conn*, uint64_t n) {
    delivered += n;
    const uint64_t done = delivered / static_cast<uint64_t>(o.subscribers);
    const uint64_t due = done + static_cast<uint64_t>(o.window) - published;
    if (published - done < static_cast<uint64_t>(o.window) && due > 0) {
      published += due;
      pub.owed += due * pub.frame_len;
      loop.flush(&pub);
    }
  };
  on_frames(nullptr, 0);
  return measure(o, loop, on_frames, [&] { return delivered; });
}

Options parse_args(int argc, char** argv) {
  Options o;
  if (argc < 2) {
    std::fprintf(stderr, "usage: wsload <echo|fanout> --port N [options]\n");
    std::exit(2);
  }
  o.mode = argv[1];
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : "";
    if (a == "--compress") {
      o.compress = true;
      continue;
    }
    ++i;
    if (a == "--port") o.port = std::atoi(v);
    else if (a == "--connections") o.connections = std::atoi(v);
    else if (a == "--inflight") o.inflight = std::atoi(v);
    else if (a == "--size") o.size = static_cast<size_t>(std::atol(v));
    else if (a == "--subscribers") o.subscribers = std::atoi(v);
    else if (a == "--window") o.window = std::atoi(v);
    else if (a == "--duration") o.duration = std::atof(v);
    else if (a == "--warmup") o.warmup = std::atof(v);
    else {
      std::fprintf(stderr, "wsload: unknown option %s\n", a.c_str());
      std::exit(2);
    }
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse_args(argc, argv);
  Result r{};
  if (o.mode == "echo") {
    r = echo(o);
  } else if (o.mode == "fanout") {
    r = fanout(o);
  } else {
    std::fprintf(stderr, "wsload: unknown mode %s\n", o.mode.c_str());
    return 2;
  }
  std::printf("{\"messagesPerSec\":%.1f,\"clientCpuPercent\":%.1f}\n", r.per_sec, r.cpu_percent);
  return 0;
}
