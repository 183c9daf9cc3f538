#include "lab/routes.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "lab/gzip.h"
#include "lab/query.h"

namespace pageload::lab {
namespace {

using std::chrono::milliseconds;

constexpr long long kMaxDelayMs = 120'000;
constexpr long long kMaxLargeBytes = 4LL << 30;  // 4 GiB

// What a handler sees: the request, the path after the route's prefix, the query.
struct Call {
  const Request& request;
  std::string_view rest;
  const Query& query;
  ResponseWriter& writer;
};

using Handler = void (*)(const Call&);

HeaderList type(std::string_view content_type) { return {{"Content-Type", std::string(content_type)}}; }

void send_text(ResponseWriter& w, int status, std::string_view text) {
  w.send(status, type("text/plain; charset=utf-8"), text);
}

// A final status code: three digits, not informational (a 1xx can't end an exchange).
std::optional<int> parse_status(std::string_view text) {
  if (text.size() != 3 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  int code = std::stoi(std::string(text));
  if (code < 200) return std::nullopt;
  return code;
}

void status_body(ResponseWriter& w, int status, HeaderList headers = {}) {
  headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  std::string body = std::to_string(status) + " " + std::string(reason_phrase(status)) + "\n";
  w.send(status, std::move(headers), body);
}

void bad_request(ResponseWriter& w, std::string_view why) { send_text(w, 400, std::string(why) + "\n"); }

void index_page(const Call& c) {
  std::string body =
      "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>pageload lab</title></head>\n"
      "<body><h1>pageload lab</h1>\n<ul>\n";
  for (const auto& r : route_list()) {
    body += "<li><a href=\"" + std::string(r.example) + "\">" + std::string(r.example) + "</a> ";
    body += std::string(r.description) + "</li>\n";
  }
  body += "</ul></body></html>\n";
  c.writer.send(200, type("text/html; charset=utf-8"), body);
}

void status_route(const Call& c) {
  auto code = parse_status(c.rest);
  if (!code) return bad_request(c.writer, "usage: /status/{200..999}");
  status_body(c.writer, *code);
}

void redirect_route(const Call& c) {
  auto code = parse_status(c.rest);
  if (!code) return bad_request(c.writer, "usage: /redirect/{200..999}?to=URL");
  HeaderList headers;
  if (auto to = c.query.get("to")) headers.emplace_back("Location", *to);  // exactly as given
  status_body(c.writer, *code, std::move(headers));
}

void chain_route(const Call& c) {
  std::string_view list = c.rest;
  if (!list.empty() && list.front() == '/') list.remove_prefix(1);
  else if (!list.empty()) return status_body(c.writer, 404);  // "/chainfoo"
  if (list.empty()) return status_body(c.writer, 200);
  std::size_t comma = list.find(',');
  auto code = parse_status(list.substr(0, comma));
  if (!code) return bad_request(c.writer, "usage: /chain/{code},{code},...");
  HeaderList headers;
  if (*code >= 300 && *code < 400) {
    std::string next = "/chain/";
    if (comma != std::string_view::npos) next += list.substr(comma + 1);
    if (!c.request.query().empty()) next += "?" + std::string(c.request.query());
    headers.emplace_back("Location", next);
  }
  status_body(c.writer, *code, std::move(headers));
}

void loop_route(const Call& c) {
  std::string_view path = c.request.path();
  std::string next = path == "/loop/a" ? "/loop/b" : path == "/loop/b" ? "/loop/a" : "/loop";
  status_body(c.writer, 302, {{"Location", next}});
}

void delay_route(const Call& c) {
  auto ms = parse_clamped(c.rest, 0, kMaxDelayMs);
  if (!ms) return bad_request(c.writer, "usage: /delay/{ms}");
  if (!c.writer.pause(milliseconds(*ms))) return c.writer.close_after();  // stopping
  send_text(c.writer, 200, "delayed " + std::to_string(*ms) + " ms\n");
}

void drip_route(const Call& c) {
  long long chunks = c.query.get_int("chunks", 5, 0, 100'000);
  long long interval = c.query.get_int("interval", 100, 0, kMaxDelayMs);
  long long size = c.query.get_int("size", 100, 1, 1 << 20);
  HeaderList headers = type("text/plain");
  headers.emplace_back("Transfer-Encoding", "chunked");
  if (!c.writer.send_head(200, headers)) return;
  std::string chunk(static_cast<std::size_t>(size), '.');
  for (long long i = 0; i < chunks; ++i) {
    if (i > 0 && !c.writer.pause(milliseconds(interval))) return c.writer.close_after();
    if (!c.writer.write_chunk(chunk)) return c.writer.close_after();
  }
  if (!c.writer.finish_chunks()) c.writer.close_after();
}

void gap_route(const Call& c) {
  auto ms = parse_clamped(c.rest, 0, kMaxDelayMs);
  if (!ms) return bad_request(c.writer, "usage: /gap/{ms}");
  long long size = c.query.get_int("size", 2000, 2, 1 << 24);
  std::string body(static_cast<std::size_t>(size), 'g');
  HeaderList headers = type("text/plain");
  headers.emplace_back("Content-Length", std::to_string(body.size()));
  std::string_view view = body;
  std::size_t half = body.size() / 2;
  if (!c.writer.send_head(200, headers) || !c.writer.write_body(view.substr(0, half)) ||
      !c.writer.pause(milliseconds(*ms)) || !c.writer.write_body(view.substr(half)))
    c.writer.close_after();
}

void large_route(const Call& c) {
  auto bytes = parse_clamped(c.rest, 0, kMaxLargeBytes);
  if (!bytes) return bad_request(c.writer, "usage: /large/{bytes}");
  HeaderList headers = type("application/octet-stream");
  headers.emplace_back("Content-Length", std::to_string(*bytes));
  if (!c.writer.send_head(200, headers)) return c.writer.close_after();
  static const std::string kBlock = [] {
    std::string block(64 * 1024, '\0');
    for (std::size_t i = 0; i < block.size(); ++i) block[i] = static_cast<char>('a' + i % 26);
    return block;
  }();
  for (long long left = *bytes; left > 0;) {
    std::size_t n = static_cast<std::size_t>(std::min<long long>(left, static_cast<long long>(kBlock.size())));
    if (!c.writer.write_body(std::string_view(kBlock).substr(0, n))) return c.writer.close_after();
    left -= static_cast<long long>(n);
  }
}

// Text that compresses well, about 20 KB decoded.
const std::string& gzip_text() {
  static const std::string text = [] {
    std::string t;
    for (int i = 0; i < 400; ++i) t += "pageload lab: a compressible line of text, line " + std::to_string(i) + "\n";
    return t;
  }();
  return text;
}

// Whether an Accept-Encoding value lists gzip (or *) without q=0.
bool accepts_gzip(const std::string* accept) {
  if (accept == nullptr) return false;
  std::string_view list = *accept;
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    std::size_t semi = item.find(';');
    std::string_view coding = item.substr(0, semi);
    while (!coding.empty() && coding.front() == ' ') coding.remove_prefix(1);
    while (!coding.empty() && coding.back() == ' ') coding.remove_suffix(1);
    if (iequals(coding, "gzip") || iequals(coding, "x-gzip") || coding == "*") {
      std::string_view params = semi == std::string_view::npos ? std::string_view() : item.substr(semi + 1);
      std::size_t q = params.find("q=");
      if (q == std::string_view::npos || std::strtod(std::string(params.substr(q + 2)).c_str(), nullptr) > 0)
        return true;
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

void gzip_route(const Call& c) {
  HeaderList headers = type("text/plain; charset=utf-8");
  headers.emplace_back("Vary", "Accept-Encoding");
  if (accepts_gzip(c.request.header("Accept-Encoding"))) {
    if (auto compressed = gzip_compress(gzip_text())) {
      headers.emplace_back("Content-Encoding", "gzip");
      c.writer.send(200, std::move(headers), *compressed);
      return;
    }
  }
  c.writer.send(200, std::move(headers), gzip_text());
}

void close_route(const Call& c) {
  c.writer.close_after();
  send_text(c.writer, 200, "this connection closes now\n");
}

void reset_route(const Call& c) {
  HeaderList headers = type("application/octet-stream");
  headers.emplace_back("Content-Length", "100000");
  c.writer.reset_after();
  if (!c.writer.send_head(200, headers)) return;
  c.writer.write_body(std::string(1000, 'r'));
  // Let the client read what was sent, so it is waiting in recv() when the RST lands.
  c.writer.pause(milliseconds(50));
}

void echo_route(const Call& c) {
  nlohmann::json headers = nlohmann::json::array();
  for (const auto& [name, value] : c.request.headers) headers.push_back({name, value});
  nlohmann::json doc = {
      {"method", c.request.method},
      {"target", c.request.target},
      {"headers", headers},
      {"body", c.request.body},
  };
  // Request bytes need not be UTF-8; invalid sequences become U+FFFD instead of throwing.
  std::string body = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  c.writer.send(200, type("application/json"), body);
}

void set_cookie_route(const Call& c) {
  HeaderList headers = type("text/plain; charset=utf-8");
  headers.emplace_back("Set-Cookie", "session=s3cr3t-value; Path=/; HttpOnly");
  c.writer.send(200, std::move(headers), "cookie set\n");
}

struct Route {
  std::string_view path;  // exact path, or a prefix when `prefix`
  bool prefix;
  Handler handler;
  RouteInfo info;
};

constexpr std::array kRoutes{
    Route{"/", false, index_page, {"/", "200 text/html page"}},
    Route{"/status/", true, status_route, {"/status/404", "that status (200-999); ?reason=TEXT&header=Name:%20value work on every route"}},
    Route{"/redirect/", true, redirect_route, {"/redirect/302?to=/", "that status with Location: TO as given (none without ?to=)"}},
    Route{"/chain", true, chain_route, {"/chain/301,302,303,307,308", "redirects through each listed code, then 200"}},
    Route{"/loop", false, loop_route, {"/loop", "302 to itself"}},
    Route{"/loop/a", false, loop_route, {"/loop/a", "302 to /loop/b, which 302s back"}},
    Route{"/loop/b", false, loop_route, {"/loop/b", "302 to /loop/a"}},
    Route{"/delay/", true, delay_route, {"/delay/500", "waits that many ms before answering"}},
    Route{"/drip", false, drip_route, {"/drip?chunks=5&interval=100&size=100", "chunked body, one chunk every interval ms"}},
    Route{"/gap/", true, gap_route, {"/gap/300", "half the body, a pause of ms, the rest (Content-Length)"}},
    Route{"/large/", true, large_route, {"/large/10485760", "a body of that many bytes"}},
    Route{"/gzip", false, gzip_route, {"/gzip", "compressible text, gzip-encoded if accepted"}},
    Route{"/close", false, close_route, {"/close", "200 with Connection: close, then closes"}},
    Route{"/reset", false, reset_route, {"/reset", "promises 100000 bytes, sends 1000, resets the connection"}},
    Route{"/echo", false, echo_route, {"/echo", "the request as JSON: method, target, headers, body"}},
    Route{"/set-cookie", false, set_cookie_route, {"/set-cookie", "200 with Set-Cookie: session=s3cr3t-value"}},
};

ResponseOverrides overrides_from(const Query& query) {
  ResponseOverrides o;
  o.reason = query.get("reason");
  for (const std::string& raw : query.all("header")) {
    std::size_t colon = raw.find(':');
    if (colon == std::string::npos || colon == 0) continue;
    std::string_view value = std::string_view(raw).substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    o.extra_headers.emplace_back(raw.substr(0, colon), std::string(value));
  }
  return o;
}

}  // namespace

void serve_request(const Request& request, ResponseWriter& writer) {
  Query query(request.query());
  writer.set_overrides(overrides_from(query));
  std::string_view path = request.path();
  for (const Route& route : kRoutes) {
    bool match = route.prefix ? path.substr(0, route.path.size()) == route.path : path == route.path;
    if (!match) continue;
    route.handler(Call{request, path.substr(route.path.size()), query, writer});
    return;
  }
  status_body(writer, 404);
}

std::vector<RouteInfo> route_list() {
  std::vector<RouteInfo> list;
  for (const Route& r : kRoutes) list.push_back(r.info);
  return list;
}

}  // namespace pageload::lab
