#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace glance::common {

using TimePoint = std::chrono::system_clock::time_point;

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
  TimePoint now() const override { return std::chrono::system_clock::now(); }
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
