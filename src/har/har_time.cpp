#include "har/har_time.h"

#include <cmath>
#include <cstdio>
#include <ctime>

namespace pageload::har {

std::optional<std::string> wall_time(std::string_view started_at, double offset_ms) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, used = 0;
  const std::string text(started_at);
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &used) != 6) return std::nullopt;
  long long micros = 0;
  std::size_t i = static_cast<std::size_t>(used);
  if (i < text.size() && text[i] == '.') {
    long long scale = 100000;
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, scale /= 10)
      if (scale > 0) micros += (text[i] - '0') * scale;
  }
  if (i >= text.size() || text[i] != 'Z' || i + 1 != text.size()) return std::nullopt;
  tm t{};
  t.tm_year = y - 1900;
  t.tm_mon = mo - 1;
  t.tm_mday = d;
  t.tm_hour = h;
  t.tm_min = mi;
  t.tm_sec = s;
  const time_t base = timegm(&t);
  if (base == static_cast<time_t>(-1)) return std::nullopt;
  long long total_us = static_cast<long long>(base) * 1000000 + micros + std::llround(offset_ms * 1000.0);
  const long long ms_total = total_us >= 0 ? total_us / 1000 : -((-total_us + 999) / 1000);
  time_t secs = static_cast<time_t>(ms_total >= 0 ? ms_total / 1000 : -((-ms_total + 999) / 1000));
  const int ms = static_cast<int>(ms_total - static_cast<long long>(secs) * 1000);
  tm out{};
  if (!gmtime_r(&secs, &out)) return std::nullopt;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", out.tm_year + 1900, out.tm_mon + 1,
                out.tm_mday, out.tm_hour, out.tm_min, out.tm_sec, ms);
  return std::string(buf);
}

std::optional<long long> parse_wall_time_us(std::string_view text_in) {
  const std::string text(text_in);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, used = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &used) != 6) return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  std::size_t i = static_cast<std::size_t>(used);
  long long micros = 0;
  if (i < text.size() && (text[i] == '.' || text[i] == ',')) {
    long long scale = 100000;
    std::size_t digits = 0;
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits, scale /= 10)
      if (scale > 0) micros += (text[i] - '0') * scale;
    if (digits == 0) return std::nullopt;
  }
  long long offset_s = 0;
  if (i < text.size() && (text[i] == 'Z' || text[i] == 'z')) {
    ++i;
  } else if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    const int sign = text[i] == '-' ? -1 : 1;
    int oh = 0, om = 0, n = 0;
    const char* rest = text.c_str() + i + 1;
    if (std::sscanf(rest, "%2d:%2d%n", &oh, &om, &n) == 2 || std::sscanf(rest, "%2d%2d%n", &oh, &om, &n) == 2) {
      i += 1 + static_cast<std::size_t>(n);
    } else {
      return std::nullopt;
    }
    if (oh > 23 || om > 59) return std::nullopt;
    offset_s = sign * (oh * 3600LL + om * 60LL);
  } else {
    return std::nullopt;
  }
  if (i != text.size()) return std::nullopt;
  tm t{};
  t.tm_year = y - 1900;
  t.tm_mon = mo - 1;
  t.tm_mday = d;
  t.tm_hour = h;
  t.tm_min = mi;
  t.tm_sec = s;
  const time_t base = timegm(&t);
  if (base == static_cast<time_t>(-1)) return std::nullopt;
  return (static_cast<long long>(base) - offset_s) * 1000000 + micros;
}

std::string format_wall_time_us(long long us) {
  const long long secs_ll = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
  const time_t secs = static_cast<time_t>(secs_ll);
  const long micros = static_cast<long>(us - secs_ll * 1000000);
  tm out{};
  gmtime_r(&secs, &out);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", out.tm_year + 1900, out.tm_mon + 1,
                out.tm_mday, out.tm_hour, out.tm_min, out.tm_sec, micros);
  return buf;
}

}  // namespace pageload::har
