#pragma once
// The wall-clock times HAR wants (ISO 8601 with milliseconds, UTC) from a run's start and an
// offset on the run's monotonic clock.

#include <optional>
#include <string>
#include <string_view>

namespace pageload::har {

// "2026-12-01T20:46:07.123456Z" + 12.5 ms -> "2026-12-01T20:46:07.135Z"; nullopt when
// `started_at` is not pageload's UTC ISO-8601 form.
std::optional<std::string> wall_time(std::string_view started_at, double offset_ms);

// An ISO 8601 date-time as HAR producers write it ("2026-12-01T20:46:07.123Z",
// "2026-12-01T21:46:07.123456+01:00", "...+0100"): microseconds since the epoch, UTC;
// nullopt when it is not one.
std::optional<long long> parse_wall_time_us(std::string_view text);

// Microseconds since the epoch as pageload stores a run's start: "2026-12-01T20:46:07.123456Z".
std::string format_wall_time_us(long long us);

}  // namespace pageload::har
