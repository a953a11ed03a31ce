#include "common/clock.h"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace glance::common {

namespace {
using namespace std::chrono;

std::string format_with(TimePoint tp, char separator) {
  auto us = duration_cast<microseconds>(tp.time_since_epoch()).count();
  long long secs = us >= 0 ? us / 1000000 : (us - 999999) / 1000000;
  long long frac = us - secs * 1000000;
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d%c%02d:%02d:%02d.%06lld", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, separator, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  return buf;
}

bool read_digits(std::string_view& s, size_t n, int* out) {
  if (s.size() < n) return false;
  for (size_t i = 0; i < n; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  std::from_chars(s.data(), s.data() + n, *out);
  s.remove_prefix(n);
  return true;
}

bool eat(std::string_view& s, char c) {
  if (s.empty() || s.front() != c) return false;
  s.remove_prefix(1);
  return true;
}

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
long long days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}
}  // namespace

std::string format_timestamp(TimePoint tp) {
  return format_with(tp, 'T');
}
std::string timestamp_to_sql(TimePoint tp) {
  return format_with(tp, ' ');
}

std::string timestamp_from_sql(std::string_view sql) {
  std::string out(sql);
  if (out.size() >= 11 && out[10] == ' ') out[10] = 'T';
  if (out.size() == 19) out += ".000000";
  return out;
}

std::optional<TimePoint> parse_iso8601(std::string_view s) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  long long micros = 0;
  if (!read_digits(s, 4, &year) || !eat(s, '-') || !read_digits(s, 2, &month) || !eat(s, '-') ||
      !read_digits(s, 2, &day))
    return std::nullopt;
  if (!s.empty() && (s.front() == 'T' || s.front() == 't' || s.front() == ' ')) {
    s.remove_prefix(1);
    if (!read_digits(s, 2, &hour) || !eat(s, ':') || !read_digits(s, 2, &minute))
      return std::nullopt;
    if (eat(s, ':')) {
      if (!read_digits(s, 2, &second)) return std::nullopt;
      if (eat(s, '.') || eat(s, ',')) {
        int digits = 0;
        while (!s.empty() && s.front() >= '0' && s.front() <= '9') {
          if (digits < 6) micros = micros * 10 + (s.front() - '0');
          ++digits;
          s.remove_prefix(1);
        }
        if (digits == 0) return std::nullopt;
        for (int i = digits; i < 6; ++i) micros *= 10;
      }
    }
  }
  int offset_minutes = 0;
  if (eat(s, 'Z') || eat(s, 'z')) {
  } else if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    int sign = s.front() == '-' ? -1 : 1;
    s.remove_prefix(1);
    int oh = 0, om = 0;
    if (!read_digits(s, 2, &oh)) return std::nullopt;
    eat(s, ':');
    if (!s.empty() && !read_digits(s, 2, &om)) return std::nullopt;
    offset_minutes = sign * (oh * 60 + om);
  }
  if (!s.empty()) return std::nullopt;
  if (year < 1900 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
      second > 60)
    return std::nullopt;
  long long days = days_from_civil(year, unsigned(month), unsigned(day));
  long long secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return TimePoint(seconds(secs) + microseconds(micros));
}

}  // namespace glance::common
