#include "lab/response_writer.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <utility>

namespace pageload::lab {
namespace {

struct Reason {
  int status;
  std::string_view phrase;
};

constexpr std::array kReasons{
    Reason{100, "Continue"},
    Reason{101, "Switching Protocols"},
    Reason{200, "OK"},
    Reason{201, "Created"},
    Reason{202, "Accepted"},
    Reason{203, "Non-Authoritative Information"},
    Reason{204, "No Content"},
    Reason{205, "Reset Content"},
    Reason{206, "Partial Content"},
    Reason{300, "Multiple Choices"},
    Reason{301, "Moved Permanently"},
    Reason{302, "Found"},
    Reason{303, "See Other"},
    Reason{304, "Not Modified"},
    Reason{305, "Use Proxy"},
    Reason{307, "Temporary Redirect"},
    Reason{308, "Permanent Redirect"},
    Reason{400, "Bad Request"},
    Reason{401, "Unauthorized"},
    Reason{402, "Payment Required"},
    Reason{403, "Forbidden"},
    Reason{404, "Not Found"},
    Reason{405, "Method Not Allowed"},
    Reason{406, "Not Acceptable"},
    Reason{407, "Proxy Authentication Required"},
    Reason{408, "Request Timeout"},
    Reason{409, "Conflict"},
    Reason{410, "Gone"},
    Reason{411, "Length Required"},
    Reason{412, "Precondition Failed"},
    Reason{413, "Content Too Large"},
    Reason{414, "URI Too Long"},
    Reason{415, "Unsupported Media Type"},
    Reason{416, "Range Not Satisfiable"},
    Reason{417, "Expectation Failed"},
    Reason{421, "Misdirected Request"},
    Reason{422, "Unprocessable Content"},
    Reason{426, "Upgrade Required"},
    Reason{500, "Internal Server Error"},
    Reason{501, "Not Implemented"},
    Reason{502, "Bad Gateway"},
    Reason{503, "Service Unavailable"},
    Reason{504, "Gateway Timeout"},
    Reason{505, "HTTP Version Not Supported"},
};

// Header text must not break the response framing: CR, LF and NUL become spaces.
std::string sanitize(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c == '\r' || c == '\n' || c == '\0') c = ' ';
  return out;
}

}  // namespace

std::string_view reason_phrase(int status) {
  for (const auto& r : kReasons)
    if (r.status == status) return r.phrase;
  return {};
}

ResponseWriter::ResponseWriter(Stream& stream, const StopFlag& stop, bool head_only, bool keep_alive)
    : stream_(stream),
      stop_(stop),
      head_only_(head_only),
      after_(keep_alive ? AfterResponse::kKeepAlive : AfterResponse::kClose) {}

void ResponseWriter::set_overrides(ResponseOverrides overrides) {
  overrides_ = std::move(overrides);
  for (const auto& [name, value] : overrides_.extra_headers)
    if (iequals(name, "Connection") && value.find("close") != std::string::npos) close_after();
}

bool ResponseWriter::send(int status, HeaderList headers, std::string_view body) {
  if (!has_no_body(status)) headers.emplace_back("Content-Length", std::to_string(body.size()));
  if (!send_head(status, headers)) return false;
  if (has_no_body(status)) return true;
  return write_body(body);
}

bool ResponseWriter::send_head(int status, const HeaderList& headers) {
  std::string head = "HTTP/1.1 " + std::to_string(status) + " ";
  head += overrides_.reason ? sanitize(*overrides_.reason) : std::string(reason_phrase(status));
  head += "\r\nServer: pageload-lab\r\n";
  auto add = [&head](std::string_view name, std::string_view value) {
    head += sanitize(name);
    head += ": ";
    head += sanitize(value);
    head += "\r\n";
  };
  for (const auto& [name, value] : headers) add(name, value);
  for (const auto& [name, value] : overrides_.extra_headers) add(name, value);
  bool connection_overridden = std::any_of(overrides_.extra_headers.begin(), overrides_.extra_headers.end(),
                                           [](const auto& h) { return iequals(h.first, "Connection"); });
  if (after_ != AfterResponse::kKeepAlive && !connection_overridden) add("Connection", "close");
  head += "\r\n";
  head_sent_ = true;
  return stream_.write_all(head);
}

void ResponseWriter::play(const ResponsePlan& plan) {
  set_overrides({plan.reason, plan.extra_headers});
  switch (plan.ending) {
    case Ending::kComplete: break;
    case Ending::kClose:
    case Ending::kGoAway: close_after(); break;
    case Ending::kReset:
    case Ending::kResetStream: reset_after(); break;
    case Ending::kRefuseStream: close_after(); return;  // HTTP/1.1 has no stream to refuse
  }
  if (!pause(plan.head_delay)) return close_after();  // stopping

  HeaderList headers = plan.headers;
  bool chunked = false;
  if (!has_no_body(plan.status)) {
    if (plan.content_length) {
      headers.emplace_back("Content-Length", std::to_string(*plan.content_length));
    } else {
      headers.emplace_back("Transfer-Encoding", "chunked");
      chunked = true;
    }
  }
  if (!send_head(plan.status, headers)) return close_after();
  if (has_no_body(plan.status)) return;

  constexpr std::size_t kBlock = 64 * 1024;
  std::string block(kBlock, '\0');
  BodyCursor cursor(plan.body);
  while (!cursor.done()) {
    if (milliseconds pause_for = cursor.take_pause(); pause_for.count() > 0 && !pause(pause_for))
      return close_after();
    std::size_t n = cursor.read(block.data(), block.size());
    std::string_view bytes(block.data(), n);
    if (n > 0 && !(chunked ? write_chunk(bytes) : write_body(bytes))) return close_after();
  }
  if (chunked && !finish_chunks()) close_after();
}

bool ResponseWriter::write_body(std::string_view bytes) {
  if (head_only_) return true;
  return stream_.write_all(bytes);
}

bool ResponseWriter::write_chunk(std::string_view bytes) {
  if (head_only_ || bytes.empty()) return true;
  char size[32];
  int n = std::snprintf(size, sizeof size, "%zx\r\n", bytes.size());
  std::string chunk(size, static_cast<std::size_t>(n));
  chunk.append(bytes);
  chunk += "\r\n";
  return stream_.write_all(chunk);
}

bool ResponseWriter::finish_chunks() {
  if (head_only_) return true;
  return stream_.write_all("0\r\n\r\n");
}

}  // namespace pageload::lab
