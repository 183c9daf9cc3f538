#include "lab/http_request.h"

#include <algorithm>
#include <charconv>
#include <optional>

namespace pageload::lab {
namespace {

bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Finds the end of the head: the index just past the first empty line, or npos.
std::size_t find_head_end(std::string_view buffer) {
  std::size_t pos = 0;
  while (true) {
    std::size_t nl = buffer.find('\n', pos);
    if (nl == std::string_view::npos) return std::string_view::npos;
    std::string_view line = buffer.substr(pos, nl - pos);
    if (line.empty() || line == "\r") return nl + 1;
    pos = nl + 1;
  }
}

std::optional<std::size_t> parse_decimal(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  std::size_t value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

bool contains_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    std::string_view item = trim(list.substr(0, comma));
    if (iequals(item, token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

const std::string* Request::header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (iequals(n, name)) return &v;
  return nullptr;
}

bool Request::keep_alive() const {
  if (major_version >= 2) return true;  // HTTP/2 has no Connection header
  const std::string* connection = header("Connection");
  if (connection != nullptr && contains_token(*connection, "close")) return false;
  if (minor_version == 0) return connection != nullptr && contains_token(*connection, "keep-alive");
  return true;
}

std::string_view Request::path() const {
  std::string_view t = target;
  t = t.substr(0, t.find('?'));
  // Absolute form (RFC 9112 3.2.2), as a proxy-minded client may send it.
  for (std::string_view scheme : {"http://", "https://"}) {
    if (t.size() >= scheme.size() && iequals(t.substr(0, scheme.size()), scheme)) {
      std::size_t slash = t.find('/', scheme.size());
      return slash == std::string_view::npos ? std::string_view("/") : t.substr(slash);
    }
  }
  return t;
}

bool split_authority(std::string_view authority, std::string& host, int& port) {
  std::string_view name = authority, port_text;
  if (!name.empty() && name.front() == '[') {
    std::size_t close = name.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    std::string_view after = name.substr(close + 1);
    name = name.substr(0, close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return false;
      port_text = after.substr(1);
      if (port_text.empty()) return false;
    }
  } else {
    std::size_t colon = name.rfind(':');
    if (colon != std::string_view::npos) {
      port_text = name.substr(colon + 1);
      name = name.substr(0, colon);
      if (port_text.empty()) return false;
    }
    if (name.find_first_of(":[]") != std::string_view::npos) return false;
  }
  if (name.empty()) return false;
  int value = 0;
  if (!port_text.empty()) {
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || ptr != port_text.data() + port_text.size() || value < 1 || value > 65535)
      return false;
  }
  host.assign(name);
  for (char& c : host)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  port = value;
  return true;
}

namespace {

// The authority the request names: Host, :authority, or an absolute-form target's.
std::string_view named_authority(const Request& r) {
  if (const std::string* host = r.header("Host")) return *host;
  if (!r.authority.empty()) return r.authority;
  std::string_view t = r.target;
  for (std::string_view scheme : {"http://", "https://"}) {
    if (t.size() >= scheme.size() && iequals(t.substr(0, scheme.size()), scheme)) {
      t.remove_prefix(scheme.size());
      return t.substr(0, t.find_first_of("/?"));
    }
  }
  return {};
}

}  // namespace

std::string Request::host() const {
  std::string host;
  int port = 0;
  if (!split_authority(named_authority(*this), host, port)) return {};
  return host;
}

int Request::port() const {
  std::string host;
  int port = 0;
  if (split_authority(named_authority(*this), host, port) && port != 0) return port;
  return local_port;
}

std::string_view Request::query() const {
  std::string_view t = target;
  std::size_t q = t.find('?');
  return q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
}

ParseResult parse_request_head(std::string_view buffer, const RequestLimits& limits, Request& request,
                               BodyFraming& framing, std::size_t& head_size) {
  // Tolerate (and skip) empty lines before a request line, as RFC 9112 2.2 allows.
  std::size_t skipped = 0;
  while (skipped < buffer.size() && (buffer[skipped] == '\r' || buffer[skipped] == '\n')) ++skipped;
  if (skipped > 64) return ParseResult::kBadRequest;
  std::string_view rest = buffer.substr(skipped);

  std::size_t end = find_head_end(rest);
  if (end == std::string_view::npos)
    return rest.size() > limits.max_head_bytes ? ParseResult::kHeadTooLarge : ParseResult::kNeedMore;
  if (end > limits.max_head_bytes) return ParseResult::kHeadTooLarge;

  Request parsed;
  BodyFraming body;
  std::string_view head = rest.substr(0, end);
  bool first = true;
  bool saw_length = false;
  bool saw_te = false;
  while (!head.empty()) {
    std::size_t nl = head.find('\n');
    std::string_view line = head.substr(0, nl);
    head.remove_prefix(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;
    if (line.find('\0') != std::string_view::npos || line.find('\r') != std::string_view::npos)
      return ParseResult::kBadRequest;

    if (first) {
      first = false;
      std::size_t sp1 = line.find(' ');
      std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
      if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
        return ParseResult::kBadRequest;
      std::string_view method = line.substr(0, sp1);
      std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
      std::string_view version = line.substr(sp2 + 1);
      if (!is_token(method) || target.empty()) return ParseResult::kBadRequest;
      if (version == "HTTP/1.1") parsed.minor_version = 1;
      else if (version == "HTTP/1.0") parsed.minor_version = 0;
      else return ParseResult::kBadRequest;
      parsed.method = method;
      parsed.target = target;
      continue;
    }

    if (line.front() == ' ' || line.front() == '\t') return ParseResult::kBadRequest;  // obs-fold
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return ParseResult::kBadRequest;
    std::string_view name = line.substr(0, colon);
    std::string_view value = trim(line.substr(colon + 1));
    if (!is_token(name)) return ParseResult::kBadRequest;
    if (parsed.headers.size() >= limits.max_headers) return ParseResult::kHeadTooLarge;
    parsed.headers.emplace_back(std::string(name), std::string(value));

    if (iequals(name, "Content-Length")) {
      auto length = parse_decimal(value);
      if (!length || (saw_length && *length != body.content_length)) return ParseResult::kBadRequest;
      saw_length = true;
      body.content_length = *length;
    } else if (iequals(name, "Transfer-Encoding")) {
      saw_te = true;
      // Only "chunked" (alone, as the final coding) is understood.
      if (!iequals(value, "chunked")) return ParseResult::kNotImplemented;
      body.chunked = true;
    }
  }
  if (first) return ParseResult::kBadRequest;
  if (saw_te) body.content_length = 0;  // Transfer-Encoding overrides Content-Length
  if (!body.chunked && body.content_length > limits.max_body_bytes) return ParseResult::kBodyTooLarge;

  request = std::move(parsed);
  framing = body;
  head_size = skipped + end;
  return ParseResult::kComplete;
}

ParseResult decode_chunked_body(std::string_view buffer, std::size_t max_body, std::string& body,
                                std::size_t& consumed) {
  std::string out;
  std::size_t pos = 0;
  for (;;) {
    std::size_t nl = buffer.find('\n', pos);
    if (nl == std::string_view::npos) return buffer.size() - pos > 1024 ? ParseResult::kBadRequest : ParseResult::kNeedMore;
    std::string_view line = buffer.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line = trim(line.substr(0, line.find(';')));  // drop chunk extensions
    std::size_t size = 0;
    if (line.empty() || line.size() > 15) return ParseResult::kBadRequest;
    auto [ptr, ec] = std::from_chars(line.data(), line.data() + line.size(), size, 16);
    if (ec != std::errc() || ptr != line.data() + line.size()) return ParseResult::kBadRequest;
    pos = nl + 1;
    if (size == 0) break;
    if (out.size() + size > max_body) return ParseResult::kBodyTooLarge;
    if (buffer.size() - pos < size) return ParseResult::kNeedMore;
    out.append(buffer.substr(pos, size));
    pos += size;
    // The chunk's CRLF (or bare LF).
    if (pos >= buffer.size()) return ParseResult::kNeedMore;
    if (buffer[pos] == '\r') {
      if (pos + 1 >= buffer.size()) return ParseResult::kNeedMore;
      if (buffer[pos + 1] != '\n') return ParseResult::kBadRequest;
      pos += 2;
    } else if (buffer[pos] == '\n') {
      pos += 1;
    } else {
      return ParseResult::kBadRequest;
    }
  }
  // Trailer section: lines up to an empty one.
  for (;;) {
    std::size_t nl = buffer.find('\n', pos);
    if (nl == std::string_view::npos) return buffer.size() - pos > 8192 ? ParseResult::kBadRequest : ParseResult::kNeedMore;
    std::string_view line = buffer.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.empty() || line == "\r") break;
  }
  body = std::move(out);
  consumed = pos;
  return ParseResult::kComplete;
}

}  // namespace pageload::lab
