#include "transfer/response_text.h"

namespace pageload::transfer {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

bool split_header(std::string_view line, Header& out) {
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view name = trim(line.substr(0, colon));
  if (name.empty()) return false;
  out.first = std::string(name);
  out.second = std::string(trim(line.substr(colon + 1)));
  return true;
}

std::string reason_phrase(std::string_view status_line) {
  auto sp1 = status_line.find(' ');
  if (sp1 == std::string_view::npos) return {};
  auto sp2 = status_line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return {};
  return std::string(status_line.substr(sp2 + 1));
}

}  // namespace pageload::transfer
