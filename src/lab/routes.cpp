#include "lab/routes.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "lab/gzip.h"
#include "lab/page_assets.h"
#include "lab/page_routes.h"
#include "lab/query.h"
#include "lab/response_writer.h"

namespace pageload::lab {
namespace {

constexpr long long kMaxDelayMs = 120'000;
constexpr long long kMaxLargeBytes = 4LL << 30;  // 4 GiB
constexpr long long kMaxKeepAliveMs = 60'000;  // ?keep-alive= at most a minute

// What a handler sees: the request, the path after the route's prefix, the query.
struct Call {
  const Request& request;
  std::string_view rest;
  const Query& query;
  RouteState& state;
};

using Handler = ResponsePlan (*)(const Call&);

HeaderList type(std::string_view content_type) { return {{"Content-Type", std::string(content_type)}}; }

ResponsePlan text(int status, std::string body) {
  return ResponsePlan::whole(status, type("text/plain; charset=utf-8"), std::move(body));
}

// A final status code: three digits, not informational (a 1xx can't end an exchange).
std::optional<int> parse_status(std::string_view text) {
  if (text.size() != 3 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  int code = std::stoi(std::string(text));
  if (code < 200) return std::nullopt;
  return code;
}

ResponsePlan status_body(int status, HeaderList headers = {}) {
  headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  std::string body = std::to_string(status) + " " + std::string(reason_phrase(status)) + "\n";
  return ResponsePlan::whole(status, std::move(headers), std::move(body));
}

ResponsePlan bad_request(std::string_view why) { return text(400, std::string(why) + "\n"); }

ResponsePlan index_page(const Call&) {
  std::string body =
      "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>pageload lab</title></head>\n"
      "<body><h1>pageload lab</h1>\n<p><a href=\"/page/\">Pages for page loads</a></p>\n<ul>\n";
  for (const auto& r : route_list()) {
    body += "<li><a href=\"" + std::string(r.example) + "\">" + std::string(r.example) + "</a> ";
    body += std::string(r.description) + "</li>\n";
  }
  body += "</ul></body></html>\n";
  return ResponsePlan::whole(200, type("text/html; charset=utf-8"), std::move(body));
}

ResponsePlan status_route(const Call& c) {
  auto code = parse_status(c.rest);
  if (!code) return bad_request("usage: /status/{200..999}");
  return status_body(*code);
}

ResponsePlan redirect_route(const Call& c) {
  auto code = parse_status(c.rest);
  if (!code) return bad_request("usage: /redirect/{200..999}?to=URL");
  HeaderList headers;
  if (auto to = c.query.get("to")) headers.emplace_back("Location", *to);  // exactly as given
  return status_body(*code, std::move(headers));
}

ResponsePlan chain_route(const Call& c) {
  std::string_view list = c.rest;
  if (!list.empty() && list.front() == '/') list.remove_prefix(1);
  else if (!list.empty()) return status_body(404);  // "/chainfoo"
  if (list.empty()) return status_body(200);
  std::size_t comma = list.find(',');
  auto code = parse_status(list.substr(0, comma));
  if (!code) return bad_request("usage: /chain/{code},{code},...");
  HeaderList headers;
  if (*code >= 300 && *code < 400) {
    std::string next = "/chain/";
    if (comma != std::string_view::npos) next += list.substr(comma + 1);
    if (!c.request.query().empty()) next += "?" + std::string(c.request.query());
    headers.emplace_back("Location", next);
  }
  return status_body(*code, std::move(headers));
}

ResponsePlan loop_route(const Call& c) {
  std::string_view path = c.request.path();
  std::string next = path == "/loop/a" ? "/loop/b" : path == "/loop/b" ? "/loop/a" : "/loop";
  return status_body(302, {{"Location", next}});
}

ResponsePlan delay_route(const Call& c) {
  auto ms = parse_clamped(c.rest, 0, kMaxDelayMs);
  if (!ms) return bad_request("usage: /delay/{ms}");
  ResponsePlan plan = text(200, "delayed " + std::to_string(*ms) + " ms\n");
  plan.head_delay = milliseconds(*ms);
  return plan;
}

ResponsePlan drip_route(const Call& c) {
  long long chunks = c.query.get_int("chunks", 5, 0, 100'000);
  long long interval = c.query.get_int("interval", 100, 0, kMaxDelayMs);
  long long size = c.query.get_int("size", 100, 1, 1 << 20);
  ResponsePlan plan;
  plan.headers = type("text/plain");  // no Content-Length: chunked over HTTP/1.1
  std::string chunk(static_cast<std::size_t>(size), '.');
  for (long long i = 0; i < chunks; ++i)
    plan.body.push_back(literal(chunk, milliseconds(i > 0 ? interval : 0)));
  return plan;
}

ResponsePlan gap_route(const Call& c) {
  auto ms = parse_clamped(c.rest, 0, kMaxDelayMs);
  if (!ms) return bad_request("usage: /gap/{ms}");
  long long size = c.query.get_int("size", 2000, 2, 1 << 24);
  uint64_t half = static_cast<uint64_t>(size) / 2;
  ResponsePlan plan;
  plan.headers = type("text/plain");
  plan.content_length = static_cast<uint64_t>(size);
  plan.body.push_back(filler("g", half));
  plan.body.push_back(filler("g", static_cast<uint64_t>(size) - half, milliseconds(*ms)));
  return plan;
}

ResponsePlan large_route(const Call& c) {
  auto bytes = parse_clamped(c.rest, 0, kMaxLargeBytes);
  if (!bytes) return bad_request("usage: /large/{bytes}");
  static const std::string kBlock = [] {
    std::string block(64 * 1024, '\0');
    for (std::size_t i = 0; i < block.size(); ++i) block[i] = static_cast<char>('a' + i % 26);
    return block;
  }();
  ResponsePlan plan;
  plan.headers = type("application/octet-stream");
  plan.content_length = static_cast<uint64_t>(*bytes);
  plan.body.push_back(filler(kBlock, static_cast<uint64_t>(*bytes)));
  return plan;
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

ResponsePlan gzip_route(const Call& c) {
  HeaderList headers = type("text/plain; charset=utf-8");
  headers.emplace_back("Vary", "Accept-Encoding");
  if (accepts_gzip(c.request.header("Accept-Encoding"))) {
    if (auto compressed = gzip_compress(gzip_text())) {
      headers.emplace_back("Content-Encoding", "gzip");
      return ResponsePlan::whole(200, std::move(headers), std::move(*compressed));
    }
  }
  return ResponsePlan::whole(200, std::move(headers), gzip_text());
}

ResponsePlan close_route(const Call&) {
  ResponsePlan plan = text(200, "this connection closes now\n");
  plan.ending = Ending::kClose;
  return plan;
}

// Promises 100000 bytes, sends 1000, then `ending`.
ResponsePlan cut_short(Ending ending) {
  ResponsePlan plan;
  plan.headers = type("application/octet-stream");
  plan.content_length = 100000;
  plan.body.push_back(filler("r", 1000));
  // Let the client read what was sent, so it is waiting for more when the reset lands.
  plan.body.push_back(filler("", 0, milliseconds(50)));
  plan.ending = ending;
  return plan;
}

ResponsePlan reset_route(const Call&) { return cut_short(Ending::kReset); }
ResponsePlan reset_stream_route(const Call&) { return cut_short(Ending::kResetStream); }

ResponsePlan refuse_route(const Call& c) {
  auto n = parse_clamped(c.rest, 0, 100);
  if (!n) return bad_request("usage: /refuse/{n}");
  if (c.state.refusals.refuse(c.request.target, static_cast<int>(*n))) {
    ResponsePlan plan;
    plan.ending = Ending::kRefuseStream;
    return plan;
  }
  return text(200, "answered after " + std::to_string(*n) + " refusals\n");
}

ResponsePlan goaway_route(const Call& c) {
  auto ms = parse_clamped(c.rest, 0, kMaxDelayMs);
  if (!ms) return bad_request("usage: /goaway/{ms}");
  ResponsePlan plan = text(200, "answered, then GOAWAY\n");
  plan.head_delay = milliseconds(*ms);
  plan.ending = Ending::kGoAway;
  return plan;
}

ResponsePlan page_route(const Call& c) {
  ResponsePlan plan = plan_page(c.request, c.query);
  plan.head_delay += c.state.page_delay;
  return plan;
}

// What browsers ask for when a page names no icon.
ResponsePlan favicon_route(const Call& c) {
  auto icon = make_asset("favicon.ico", 0);
  ResponsePlan plan = ResponsePlan::whole(200, type(icon->content_type), std::move(icon->bytes));
  plan.head_delay = c.state.page_delay;
  return plan;
}

ResponsePlan echo_route(const Call& c) {
  nlohmann::json headers = nlohmann::json::array();
  for (const auto& [name, value] : c.request.headers) headers.push_back({name, value});
  nlohmann::json doc = {
      {"method", c.request.method},
      {"target", c.request.target},
      {"version", c.request.major_version >= 2 ? "HTTP/2" : "HTTP/1." + std::to_string(c.request.minor_version)},
      {"headers", headers},
      {"body", c.request.body},
  };
  if (!c.request.authority.empty()) doc["authority"] = c.request.authority;
  // Request bytes need not be UTF-8; invalid sequences become U+FFFD instead of throwing.
  std::string body = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return ResponsePlan::whole(200, type("application/json"), std::move(body));
}

ResponsePlan set_cookie_route(const Call&) {
  HeaderList headers = type("text/plain; charset=utf-8");
  headers.emplace_back("Set-Cookie", "session=s3cr3t-value; Path=/; HttpOnly");
  return ResponsePlan::whole(200, std::move(headers), "cookie set\n");
}

// A sign-in as sites do it: /login sets a session cookie and redirects to /account, which
// (and whose stylesheet) answers differently with and without the cookie, so a client
// that drops cookies between hops, or does not send them to a page's subresources, is
// visibly sent down another path (401 instead of 200).
constexpr std::string_view kLoginCookie = "lab_login=ok-token";

bool has_login_cookie(const Request& request) {
  // HTTP/2 may split Cookie into several fields (RFC 9113 8.2.3): look at each.
  for (const auto& [name, value] : request.headers) {
    if (name.size() != 6 || !std::equal(name.begin(), name.end(), "cookie", [](char a, char b) {
          return static_cast<char>(std::tolower(static_cast<unsigned char>(a))) == b;
        }))
      continue;
    std::string_view v = value;
    for (std::size_t pos = 0; pos <= v.size();) {
      std::size_t end = v.find(';', pos);
      std::string_view pair = v.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      if (pair == kLoginCookie) return true;
      if (end == std::string_view::npos) break;
      pos = end + 1;
    }
  }
  return false;
}

ResponsePlan login_route(const Call&) {
  HeaderList headers = type("text/plain; charset=utf-8");
  headers.emplace_back("Set-Cookie", std::string(kLoginCookie) + "; Path=/; HttpOnly");
  headers.emplace_back("Location", "/account");
  return ResponsePlan::whole(302, std::move(headers), "signing in\n");
}

ResponsePlan account_route(const Call& c) {
  if (!has_login_cookie(c.request)) return text(401, "not signed in: no lab_login cookie\n");
  return ResponsePlan::whole(200, type("text/html; charset=utf-8"),
                             "<!doctype html>\n<html><head><title>account</title>"
                             "<link rel=\"stylesheet\" href=\"/account/style.css\"></head>\n"
                             "<body><p>signed in</p></body></html>\n");
}

ResponsePlan account_style_route(const Call& c) {
  if (!has_login_cookie(c.request)) return text(401, "not signed in: no lab_login cookie\n");
  return ResponsePlan::whole(200, type("text/css"), "p { color: green }\n");
}

struct Route {
  std::string_view path;  // exact path, or a prefix when `prefix`
  bool prefix;
  Handler handler;
  RouteInfo info;
};

constexpr std::array kRoutes{
    Route{"/", false, index_page, {"/", "200 text/html page"}},
    Route{"/status/", true, status_route, {"/status/404", "that status (200-999); ?header=Name:%20value works on every route, ?reason=TEXT too over HTTP/1.1"}},
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
    Route{"/reset-stream", false, reset_stream_route, {"/reset-stream", "as /reset, but HTTP/2 resets only the stream (RST_STREAM INTERNAL_ERROR)"}},
    Route{"/refuse/", true, refuse_route, {"/refuse/1", "refuses N requests for this URL, answers the next (HTTP/2 RST_STREAM REFUSED_STREAM; HTTP/1.1 closes unanswered)"}},
    Route{"/goaway/", true, goaway_route, {"/goaway/300", "answers after ms, then HTTP/2 GOAWAY: later streams are refused (HTTP/1.1: closes)"}},
    Route{"/echo", false, echo_route, {"/echo", "the request as JSON: method, target, headers, body"}},
    Route{"/set-cookie", false, set_cookie_route, {"/set-cookie", "200 with Set-Cookie: session=s3cr3t-value"}},
    Route{"/login", false, login_route, {"/login", "302 to /account with Set-Cookie: lab_login=ok-token"}},
    Route{"/account", false, account_route, {"/account", "200 HTML naming /account/style.css with the lab_login cookie, 401 without"}},
    Route{"/account/style.css", false, account_style_route, {"/account/style.css", "200 CSS with the lab_login cookie, 401 without"}},
    Route{"/favicon.ico", false, favicon_route, {"/favicon.ico", "a small icon, as browsers ask for one"}},
    Route{"/page", false, page_route, {"/page/", "pages for page loads (see Pages below)"}},
    Route{"/page/", true, page_route, {"/page/", ""}},
};

void apply_overrides(ResponsePlan& plan, const Query& query) {
  plan.reason = query.get("reason");
  if (query.get("keep-alive"))
    plan.keep_alive = milliseconds(query.get_int("keep-alive", kMaxKeepAliveMs, 1, kMaxKeepAliveMs));
  for (const std::string& raw : query.all("header")) {
    std::size_t colon = raw.find(':');
    if (colon == std::string::npos || colon == 0) continue;
    std::string_view value = std::string_view(raw).substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    plan.extra_headers.emplace_back(raw.substr(0, colon), std::string(value));
  }
}

}  // namespace

bool RefusalCounter::refuse(const std::string& target, int first_n) {
  if (first_n <= 0) return false;
  std::lock_guard lock(mu_);
  if (seen_.size() >= kMaxTargets && seen_.find(target) == seen_.end()) seen_.clear();
  long long n = seen_[target]++;
  return n % (first_n + 1) < first_n;
}

ResponsePlan plan_response(const Request& request, RouteState& state) {
  Query query(request.query());
  ResponsePlan plan = [&] {
    std::string_view path = request.path();
    for (const Route& route : kRoutes) {
      bool match = route.prefix ? path.substr(0, route.path.size()) == route.path : path == route.path;
      if (match) return route.handler(Call{request, path.substr(route.path.size()), query, state});
    }
    return status_body(404);
  }();
  apply_overrides(plan, query);
  return plan;
}

std::vector<RouteInfo> route_list() {
  std::vector<RouteInfo> list;
  for (const Route& r : kRoutes)
    if (!r.info.description.empty()) list.push_back(r.info);
  return list;
}

}  // namespace pageload::lab
