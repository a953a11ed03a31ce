#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace glance::common {

// Microsecond resolution: the wire format's, and wide enough for any year (nanoseconds
// overflow after 2262).
using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::microseconds>;

// The source of "now" for timestamps written to images; tests substitute a fixed clock.
// Implementations must be safe for concurrent calls.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  // glance::common::Clock
  TimePoint now() const override {
    return std::chrono::time_point_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now());
  }
};

// "YYYY-MM-DDTHH:MM:SS.ffffff", UTC, no zone suffix: Glance's wire format for datetimes.
std::string format_timestamp(TimePoint tp);
// Accepts ISO 8601 as oslo's parse_isotime does: date, optional time (with 'T' or ' '),
// optional fraction, optional 'Z' or +hh:mm / +hhmm offset. Years before 1900 are refused.
// The result is UTC.
std::optional<TimePoint> parse_iso8601(std::string_view text);
// MySQL's "YYYY-MM-DD HH:MM:SS[.ffffff]" to the wire format.
std::string timestamp_from_sql(std::string_view sql);
// The wire format (or any ISO 8601) to MySQL's DATETIME(6) literal form.
std::string timestamp_to_sql(TimePoint tp);

}  // namespace glance::common
