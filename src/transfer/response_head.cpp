#include "transfer/response_head.h"

#include "core/redact.h"
#include "transfer/response_text.h"

namespace pageload::transfer {
namespace {

constexpr std::string_view kMaxContentLength = "9223372036854775807";  // 2^63 - 1

std::string_view without_line_end(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// "HTTP/1.1 204 No Content" -> 204; 0 when the code is not three digits.
int status_code(std::string_view line) {
  auto sp = line.find(' ');
  if (sp == std::string_view::npos || line.size() < sp + 4) return 0;
  int code = 0;
  for (std::size_t i = sp + 1; i < sp + 4; ++i) {
    if (line[i] < '0' || line[i] > '9') return 0;
    code = code * 10 + (line[i] - '0');
  }
  if (line.size() > sp + 4 && line[sp + 4] != ' ') return 0;
  return code;
}

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace

bool content_length_overflows(std::string_view value) {
  value = trim(value);
  if (value.empty()) return false;
  for (char c : value)
    if (c < '0' || c > '9') return false;
  while (value.size() > 1 && value.front() == '0') value.remove_prefix(1);
  if (value.size() != kMaxContentLength.size()) return value.size() > kMaxContentLength.size();
  return value > kMaxContentLength;
}

ResponseHead::Line ResponseHead::feed(std::string_view raw) {
  const std::string_view line = without_line_end(raw);
  switch (state_) {
    case State::kStatus: {
      if (line.substr(0, 5) != "HTTP/") return Line::kIgnored;
      status_line_ = std::string(trim(line));
      status_ = status_code(line);
      fields_.clear();
      fields_dropped_ = 0;
      last_line_kept_ = false;
      state_ = State::kHead;
      if (status_ >= 100 && status_ < 200) {
        interim_.push_back(status_);
        return Line::kInterimStatus;
      }
      final_ = true;
      return Line::kFinalStatus;
    }
    case State::kHead: {
      if (line.empty()) {
        state_ = final_ ? State::kTrailers : State::kStatus;
        last_line_kept_ = false;
        return Line::kHeadEnd;
      }
      if (is_blank(line.front())) return fold(line, fields_, fields_dropped_, Line::kFolded);
      Line kind = field(line, fields_, fields_dropped_, Line::kField);
      if (kind == Line::kField && final_ && iequals(fields_.back().first, "content-length") &&
          content_length_overflows(fields_.back().second)) {
        violation_ = "Content-Length " + fields_.back().second.substr(0, 40) + " is over 2^63 - 1 bytes";
        return Line::kViolation;
      }
      return kind;
    }
    case State::kTrailers:
      if (line.empty()) return Line::kIgnored;
      if (is_blank(line.front())) return fold(line, trailers_, trailers_dropped_, Line::kTrailer);
      return field(line, trailers_, trailers_dropped_, Line::kTrailer);
  }
  return Line::kIgnored;
}

ResponseHead::Line ResponseHead::field(std::string_view line, std::vector<Header>& into, std::size_t& dropped,
                                       Line kind) {
  last_line_kept_ = false;
  Header h;
  if (!split_header(line, h)) return Line::kIgnored;
  if (into.size() >= kMaxFields) {
    ++dropped;
    return Line::kIgnored;
  }
  into.push_back(std::move(h));
  last_line_kept_ = true;
  return kind;
}

ResponseHead::Line ResponseHead::fold(std::string_view line, std::vector<Header>& into, std::size_t dropped,
                                      Line kind) {
  if (!last_line_kept_ || into.empty()) {
    if (dropped == 0) ++fold_dropped_;  // after a field over the limit it goes with that field
    return Line::kIgnored;
  }
  std::string_view more = trim(line);
  std::string& value = into.back().second;
  if (!more.empty()) value += value.empty() ? std::string(more) : " " + std::string(more);
  ++folded_;
  return kind;
}

std::vector<std::string> ResponseHead::warnings() const {
  std::vector<std::string> out;
  if (fields_dropped_)
    out.push_back(std::to_string(fields_dropped_) + " more response headers not recorded (limit " +
                  std::to_string(kMaxFields) + ")");
  if (trailers_dropped_)
    out.push_back(std::to_string(trailers_dropped_) + " more trailers not recorded (limit " +
                  std::to_string(kMaxFields) + ")");
  if (folded_)
    out.push_back(plural(folded_, "obs-fold line", "obs-fold lines") +
                  " (starting with a space or tab) folded into the field before (RFC 9112 5.2)");
  if (fold_dropped_)
    out.push_back(plural(fold_dropped_, "obs-fold line", "obs-fold lines") +
                  " with no field before it ignored (RFC 9112 2.2)");
  return out;
}

}  // namespace pageload::transfer
