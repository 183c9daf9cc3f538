// The one clock. Every timestamp in pageload is read here: CLOCK_MONOTONIC in
// microseconds for spans, and UTC wall time only for a run's started_at.
#pragma once

#include <cstdint>
#include <string>

namespace pageload {

// Monotonic microseconds (CLOCK_MONOTONIC, the clock libcurl also uses).
int64_t mono_now_us();

// Current UTC time as ISO-8601 with microseconds: "2026-11-25T04:38:51.123456Z".
std::string utc_now_iso8601();

// A run's time origin: converts monotonic readings to ms offsets from the run start.
class RunClock {
 public:
  RunClock() : origin_us_(mono_now_us()) {}
  explicit RunClock(int64_t origin_us) : origin_us_(origin_us) {}
  int64_t origin_us() const { return origin_us_; }
  // Offset of a monotonic reading, in ms.
  double offset_ms(int64_t mono_us) const { return static_cast<double>(mono_us - origin_us_) / 1000.0; }
  // Offset of "now"; read the clock once per event and pass the reading around instead
  // of calling this twice for one event.
  double now_ms() const { return offset_ms(mono_now_us()); }

 private:
  int64_t origin_us_;
};

}  // namespace pageload
