#include "report/format.h"

#include <cmath>
#include <cstdio>

#include "core/text.h"

namespace pageload::report {

namespace {

std::string printf_double(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

std::string format_pct(double pct) {
  if (!std::isfinite(pct)) pct = 0;
  // Hundredths of a percent: 0.07 px of a 700 px track, finer than a screen draws; a
  // third decimal cost every bar of a 500-row report a byte and drew nothing.
  std::string s = printf_double("%.2f", pct);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

std::string format_share(double pct) {
  if (!std::isfinite(pct)) pct = 0;
  return printf_double("%.1f%%", pct);
}

std::string format_ms(double ms) {
  if (!std::isfinite(ms)) return "?";
  const double a = std::fabs(ms);
  if (a < 10) return printf_double("%.2f ms", ms);
  if (a < 100) return printf_double("%.1f ms", ms);
  return printf_double("%.0f ms", ms);
}

std::string format_tick(double ms, double step_ms) {
  int decimals = 0;
  for (double s = step_ms; s < 0.999 && decimals < 6; s *= 10) ++decimals;
  char fmt[16];
  std::snprintf(fmt, sizeof fmt, "%%.%df", decimals);
  return printf_double(fmt, ms);
}

std::string format_bytes(int64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  if (bytes < 1024 * 1024) return printf_double("%.1f KiB", bytes / 1024.0);
  return printf_double("%.1f MiB", bytes / (1024.0 * 1024.0));
}

std::string format_endpoint(const std::string& ip, int port) {
  if (ip.empty()) return "—";
  const bool v6 = ip.find(':') != std::string::npos;
  return (v6 ? "[" + ip + "]" : ip) + ":" + std::to_string(port);
}

std::string format_host(const std::string& scheme, const std::string& host, int port) {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  const bool own = port == 0 || (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
  if (!own) out += ":" + std::to_string(port);
  return out;
}

std::string clean_text(std::string_view in, bool keep_newlines) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size();) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c == '\n' || c == '\r') {
      out += keep_newlines ? static_cast<char>(c) : ' ';
      ++i;
      continue;
    }
    if (c == '\t') { out += '\t'; ++i; continue; }
    if (c < 0x20 || c == 0x7F) { out += kReplacement; ++i; continue; }
    char32_t cp = 0;
    const std::size_t len = utf8_sequence(in, i, cp);
    if (len == 0) { out += kReplacement; ++i; continue; }
    // Shown as the terminal shows them: U+202E drawn raw would reverse what follows.
    if (is_hidden_control(cp)) out += escape_code_point(cp);
    else out.append(in.substr(i, len));
    i += len;
  }
  return out;
}

std::string group_place(std::optional<int64_t> group_id, std::optional<RunView> view, std::optional<int> run_number) {
  if (!group_id) return {};
  return std::string(run_view_name(view.value_or(RunView::kFirst))) + " view of group " + std::to_string(*group_id) +
         ", run " + std::to_string(run_number.value_or(1));
}

std::string group_place(const Run& run) { return group_place(run.group_id, run.view, run.run_number); }

}  // namespace pageload::report
