#include "cli/cells.h"

#include <cstdio>
#include <vector>

#include "cli/safe.h"

namespace pageload::cli {

std::string protocol(const std::string& http_version) {
  if (http_version == "HTTP/2") return "h2";
  if (http_version == "HTTP/3") return "h3";
  if (http_version.rfind("HTTP/", 0) == 0) return safe(http_version.substr(5), 8);
  return http_version.empty() ? "-" : safe(http_version, 8);
}

bool request_failed(const Request& r) { return r.failure.has_value() || (r.status && *r.status >= 400); }

std::optional<int64_t> transfer_bytes(const Request& r) {
  if (!r.header_bytes && !r.body_bytes) return std::nullopt;
  return r.header_bytes.value_or(0) + r.body_bytes.value_or(0);
}

std::string pad(const std::string& s, std::size_t width, bool right) {
  const std::size_t w = display_width(s);
  if (w >= width) return s;
  return right ? std::string(width - w, ' ') + s : s + std::string(width - w, ' ');
}

std::string painted(const std::string& s, const char* color, bool on) {
  if (!on || !color || !*color || s.empty()) return s;
  return color + s + kReset;
}

void trim_right(std::string& line) {
  while (!line.empty() && line.back() == ' ') line.pop_back();
}

std::string ms_figure(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, ms < 10 ? "%.2f" : (ms < 1000 ? "%.1f" : "%.0f"), ms);
  return buf;
}

std::string bytes_cell(int64_t bytes) {
  char buf[32];
  const double k = static_cast<double>(bytes) / 1024, m = k / 1024;
  if (bytes < 1024) std::snprintf(buf, sizeof buf, "%lldB", static_cast<long long>(bytes));
  else if (k < 9.95) std::snprintf(buf, sizeof buf, "%.1fK", k);
  else if (k < 1023.5) std::snprintf(buf, sizeof buf, "%.0fK", k);
  else if (m < 9.95) std::snprintf(buf, sizeof buf, "%.1fM", m);
  else std::snprintf(buf, sizeof buf, "%.0fM", m);
  return buf;
}

std::string bytes_text(int64_t bytes) {
  std::string cell = bytes_cell(bytes);
  const char unit = cell.back();
  cell.pop_back();
  return cell + (unit == 'B' ? " B" : std::string(" ") + unit + "B");
}

std::size_t display_width(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string cut_middle(std::string_view s, std::size_t width, std::size_t keep_head) {
  const std::size_t total = display_width(s);
  if (total <= width) return std::string(s);
  if (width == 0) return "";
  if (width == 1) return "…";
  // Byte offsets of each character's start, so no cut falls inside one.
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) starts.push_back(i);
  // The head asked for, as long as kMinTail columns of the end still fit (the file name).
  constexpr std::size_t kMinTail = 10;
  const std::size_t head = std::min(keep_head, width > kMinTail + 1 ? width - 1 - kMinTail : (width - 1) / 2);
  const std::size_t tail = width - 1 - head;
  std::string out(s.substr(0, head < starts.size() ? starts[head] : s.size()));
  out += "…";
  out += s.substr(starts[total - tail]);
  return out;
}

}  // namespace pageload::cli
