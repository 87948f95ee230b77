// The HTTP Date header value (RFC 9110 section 5.6.7), formatted at most once per second and
// shared by every response of a module instance. It reads the coarse wall clock; it owns no timer.
#pragma once

#include <ctime>

namespace fasterapi::http1 {

class DateCache {
 public:
  /** "Fri, 27 Nov 2026 00:08:32 GMT" (29 bytes, not NUL-terminated in the returned view). */
  const char* get() {
    timespec now;
    clock_gettime(CLOCK_REALTIME_COARSE, &now);
    if (now.tv_sec != second_) {
      second_ = now.tv_sec;
      tm utc;
      gmtime_r(&now.tv_sec, &utc);
      strftime(text_, sizeof text_, "%a, %d %b %Y %H:%M:%S GMT", &utc);
    }
    return text_;
  }
  static constexpr unsigned kLength = 29;

 private:
  time_t second_ = -1;
  char text_[32] = {};
};

}  // namespace fasterapi::http1
