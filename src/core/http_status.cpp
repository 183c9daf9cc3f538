#include "core/http_status.h"

#include <algorithm>
#include <array>
#include <utility>

namespace pageload {
namespace {

// schema.sql's status_codes (code, phrase), in code order.
constexpr std::pair<int, std::string_view> kPhrases[] = {
      {100, "Continue"},
      {101, "Switching Protocols"},
      {103, "Early Hints"},
      {200, "OK"},
      {201, "Created"},
      {202, "Accepted"},
      {203, "Non-Authoritative Information"},
      {204, "No Content"},
      {205, "Reset Content"},
      {206, "Partial Content"},
      {207, "Multi-Status"},
      {208, "Already Reported"},
      {226, "IM Used"},
      {300, "Multiple Choices"},
      {301, "Moved Permanently"},
      {302, "Found"},
      {303, "See Other"},
      {304, "Not Modified"},
      {305, "Use Proxy"},
      {306, "(Unused)"},
      {307, "Temporary Redirect"},
      {308, "Permanent Redirect"},
      {400, "Bad Request"},
      {401, "Unauthorized"},
      {402, "Payment Required"},
      {403, "Forbidden"},
      {404, "Not Found"},
      {405, "Method Not Allowed"},
      {406, "Not Acceptable"},
      {407, "Proxy Authentication Required"},
      {408, "Request Timeout"},
      {409, "Conflict"},
      {410, "Gone"},
      {411, "Length Required"},
      {412, "Precondition Failed"},
      {413, "Content Too Large"},
      {414, "URI Too Long"},
      {415, "Unsupported Media Type"},
      {416, "Range Not Satisfiable"},
      {417, "Expectation Failed"},
      {418, "(Unused)"},
      {421, "Misdirected Request"},
      {422, "Unprocessable Content"},
      {423, "Locked"},
      {424, "Failed Dependency"},
      {425, "Too Early"},
      {426, "Upgrade Required"},
      {428, "Precondition Required"},
      {429, "Too Many Requests"},
      {431, "Request Header Fields Too Large"},
      {451, "Unavailable For Legal Reasons"},
      {500, "Internal Server Error"},
      {501, "Not Implemented"},
      {502, "Bad Gateway"},
      {503, "Service Unavailable"},
      {504, "Gateway Timeout"},
      {505, "HTTP Version Not Supported"},
      {506, "Variant Also Negotiates"},
      {507, "Insufficient Storage"},
      {508, "Loop Detected"},
      {510, "Not Extended"},
      {511, "Network Authentication Required"},
};

}  // namespace

std::string_view standard_reason(int status) {
  const auto* it = std::lower_bound(std::begin(kPhrases), std::end(kPhrases), status,
                                    [](const auto& row, int code) { return row.first < code; });
  return it != std::end(kPhrases) && it->first == status ? it->second : std::string_view();
}

std::string status_with_reason(int status, std::string_view reason, std::string_view http_version) {
  std::string out = std::to_string(status);
  if (!reason.empty()) return out + " " + std::string(reason);
  const std::string_view phrase = standard_reason(status);
  if (phrase.empty() || phrase.front() == '(') return out;  // "(Unused)" is no phrase
  const bool h2 = http_version.rfind("HTTP/2", 0) == 0 || http_version.rfind("HTTP/3", 0) == 0;
  return out + " " + std::string(phrase) + " (standard phrase; " +
         (h2 ? std::string(http_version) + " sends none)" : "the server sent none)");
}

}  // namespace pageload
