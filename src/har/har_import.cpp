#include "har/har_import.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "cache/policy.h"
#include "core/ascii.h"
#include "core/redact.h"
#include "core/url.h"
#include "har/har_fields.h"
#include "har/har_time.h"

namespace pageload::har {

namespace {

constexpr double kMaxTimingMs = 86'400'000;  // a day

bool is_token(const std::string& s) {
  if (s.empty() || s.size() > 32) return false;
  for (unsigned char c : s)
    if (!(std::isalnum(c) || std::strchr("!#$%&'*+-.^_`|~", c))) return false;
  return true;
}

bool is_ip_address(const std::string& ip) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, ip.c_str(), buf) == 1 || inet_pton(AF_INET6, ip.c_str(), buf) == 1;
}

Status bad(const ImportOptions& o, const std::string& why) {
  return Status(Code::kUsage, (o.file.empty() ? std::string("HAR") : o.file) + ": " + why);
}

std::vector<Header> headers_of(const json& list) {
  std::vector<Header> out;
  if (!list.is_array()) return out;
  for (const auto& h : list) {
    const std::string name = str(h, "name");
    if (name.empty()) continue;
    // HTTP/2 pseudo-headers (":authority") are not headers; Chrome lists them.
    if (name[0] == ':') continue;
    out.emplace_back(name, str(h, "value"));
  }
  return out;
}

// "h2", "HTTP/2.0", "http/2" -> "HTTP/2"; "http/1.1" -> "HTTP/1.1"; "h3" -> "HTTP/3". Any
// other is kept only if it reads as a protocol name ("http/2.0+quic/46", "spdy/3.1"): a
// letter, then letters, digits and / . + - (24 at most); anything else is no version.
std::string http_version(std::string v) {
  const std::string l = ascii_lower_copy(v);
  const bool token = !v.empty() && v.size() <= 24 && std::isalpha(static_cast<unsigned char>(v[0])) &&
                     std::all_of(v.begin(), v.end(), [](char c) {
                       return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '.' || c == '+' || c == '-';
                     });
  if (!token) return {};
  if (l == "h2" || l == "http/2" || l == "http/2.0") return "HTTP/2";
  if (l == "h3" || l == "http/3" || l == "http/3.0" || l.rfind("h3-", 0) == 0) return "HTTP/3";
  if (l == "http/1.1") return "HTTP/1.1";
  if (l == "http/1.0") return "HTTP/1.0";
  return v;
}

std::optional<ResourceType> type_from_devtools(const std::string& t) {
  const std::string l = ascii_lower_copy(t);
  if (l == "document") return ResourceType::kDocument;
  if (l == "stylesheet") return ResourceType::kStylesheet;
  if (l == "script") return ResourceType::kScript;
  if (l == "image") return ResourceType::kImage;
  if (l == "font") return ResourceType::kFont;
  if (l == "media") return ResourceType::kMedia;
  if (l.empty()) return std::nullopt;
  return ResourceType::kOther;  // xhr, fetch, websocket, manifest, ping, ...
}

ResourceType type_from_mime(const std::string& mime) {
  const std::string m = ascii_lower_copy(mime.substr(0, mime.find(';')));
  if (m == "text/html" || m == "application/xhtml+xml") return ResourceType::kDocument;
  if (m == "text/css") return ResourceType::kStylesheet;
  if (m.find("javascript") != std::string::npos || m == "text/ecmascript") return ResourceType::kScript;
  if (m.rfind("image/", 0) == 0) return ResourceType::kImage;
  if (m.rfind("font/", 0) == 0 || m.find("font-") != std::string::npos) return ResourceType::kFont;
  if (m.rfind("video/", 0) == 0 || m.rfind("audio/", 0) == 0) return ResourceType::kMedia;
  return ResourceType::kOther;
}

std::optional<Priority> priority_from_devtools(const std::string& p) {
  const std::string l = ascii_lower_copy(p);
  if (l == "veryhigh" || l == "highest") return Priority::kHighest;
  if (l == "high") return Priority::kHigh;
  if (l == "medium") return Priority::kMedium;
  if (l == "low") return Priority::kLow;
  if (l == "verylow" || l == "lowest") return Priority::kLowest;
  return std::nullopt;
}

struct Entry {
  const json* e = nullptr;
  long long start_us = 0;
  std::size_t index = 0;    // in the file: ties keep the file's order
  std::optional<long long> seq;  // pageload's `_seq`: its request order
};

struct Page {
  std::string id, title;
  std::optional<long long> start_us;
  const json* page = nullptr;
  std::vector<Entry> entries;
};

// A size in bytes: a whole number from 0 up to a petabyte; anything else is no size.
std::optional<int64_t> byte_count(const json& j, const char* key) {
  auto v = num(j, key);
  if (!v || *v < 0 || *v > 1e15) return std::nullopt;
  return static_cast<int64_t>(*v);
}

std::string fmt_ms(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

// Lays the entry's timings out as phases from `start` (ms on the run clock); returns the end.
// A request that failed before it was sent (`failed`) gets no send, wait or receive of 0:
// producers write 0 there for phases that did not happen.
double lay_out_phases(Request& r, const json& t, double start, bool failed) {
  // A timing past a day is no measurement (a producer's overflow, a hand-made file): read as
  // absent, with a warning, so it cannot push the page's figures out of range.
  auto sane = [&r](const json& timings, const char* key) -> std::optional<double> {
    auto v = num(timings, key);
    if (v && std::fabs(*v) > kMaxTimingMs) {
      r.warnings.push_back(std::string("timings.") + key + " was " + fmt_ms(*v) + " ms, over a day: read as absent");
      return std::nullopt;
    }
    return v;
  };
  auto setup = [&](const char* key) {
    auto v = sane(t, key);
    if (v && *v < 0 && *v != -1)
      r.warnings.push_back(std::string("timings.") + key + " was " + fmt_ms(*v) + ": read as absent");
    return v;
  };
  std::optional<double> blocked = setup("blocked"), dns = setup("dns"), connect = setup("connect"),
                        ssl = setup("ssl");
  const auto happened = [](std::optional<double> v) { return v && *v > 0; };
  double tcp = happened(connect) ? *connect : 0;
  const double tls = happened(ssl) ? *ssl : 0;
  if (tls > 0) {
    if (tls <= tcp) {
      tcp -= tls;
    } else {
      r.warnings.push_back("ssl (" + fmt_ms(tls) + " ms) is longer than connect (" + fmt_ms(tcp) +
                           " ms): read as outside connect");
    }
  }
  double at = start;
  auto add = [&](Phase p, double ms) {
    const bool exchange = p == Phase::kSend || p == Phase::kWait || p == Phase::kReceive;
    if (ms <= 0 && (!exchange || failed)) return;
    PhaseRecord rec;
    rec.phase = p;
    rec.span = Span{at, at + std::max(0.0, ms)};
    r.phases.push_back(rec);
    at += std::max(0.0, ms);
  };
  if (happened(blocked)) add(Phase::kBlocked, *blocked);
  if (happened(dns)) add(Phase::kDns, *dns);
  if (tcp > 0) add(Phase::kConnect, tcp);
  if (tls > 0) add(Phase::kTls, tls);
  for (auto [key, phase] : {std::pair{"send", Phase::kSend}, std::pair{"wait", Phase::kWait},
                            std::pair{"receive", Phase::kReceive}}) {
    const auto v = sane(t, key);
    if (v && *v < 0 && !failed)  // a failed request has no exchange phases: nothing read as 0
      r.warnings.push_back(std::string("timings.") + key + " was " + fmt_ms(*v) + ": read as 0");
    add(phase, v && *v > 0 ? *v : 0);
  }
  return at;
}

// The page's place in a group: pageload's `_group_id`, `_view` and `_run_number`, else
// WebPageTest's `_run` and `_cached` (its pages are one test: group kWebPageTestGroup).
// Run::group_id is the file's group number here; the caller stores a group for each.
void read_group(const json& page, Run& run) {
  auto whole = [](std::optional<double> v) -> std::optional<int64_t> {
    if (!v || *v < 1 || *v > 1e9 || *v != std::floor(*v)) return std::nullopt;
    return static_cast<int64_t>(*v);
  };
  if (auto g = whole(num(page, "_group_id"))) {
    run.group_id = *g;
    run.view = run_view_from_name(str(page, "_view"));
    if (auto n = whole(num(page, "_run_number"))) run.run_number = static_cast<int>(*n);
  } else if (auto n = whole(num(page, "_run")); n && num(page, "_cached")) {
    run.group_id = kWebPageTestGroup;
    run.view = *num(page, "_cached") != 0 ? RunView::kRepeat : RunView::kFirst;
    run.run_number = static_cast<int>(*n);
  }
  if (run.group_id && !run.view) run.view = RunView::kFirst;
}

// An entry's URL as a browser reads it: a hand-made HAR's spaces, quotes, angle brackets and
// control characters in the path and query are percent-encoded (a browser never sends them raw),
// so the URL keeps its host and is written back as valid HAR. Only a broken host is refused.
StatusOr<Url> entry_url(std::string_view given) {
  // A NUL would end the string where curl reads it: percent-encoded as a browser does.
  std::string text;
  for (char c : given) text += c == '\0' ? std::string("%00") : std::string(1, c);
  auto url = parse_url(text);
  if (url.ok() || text.size() > kMaxUrlLength) return url;  // too long: parse_url's words
  static const Url any_base = *parse_url("http://base.invalid/");  // an absolute URL ignores it
  return resolve_location(any_base, text);
}

// pageload's own `_phases` ({name: [start_ms, end_ms]} on the run clock) and `_end_ms`: the
// phases as measured, gaps between them kept, in place of the timings laid end to end. Taken
// only whole: every span inside a day, none ending before it starts or before the entry's start.
void read_own_phases(const json& e, double start_ms, Request& r) {
  const json& given = obj(e, "_phases");
  if (!given.is_object() || given.empty()) return;
  std::vector<PhaseRecord> phases;
  for (const auto& [name, span] : given.items()) {
    const auto phase = phase_from_name(name);
    if (!phase || !span.is_array() || span.size() != 2 || !span[0].is_number() || !span[1].is_number()) return;
    const double a = span[0].get<double>(), b = span[1].get<double>();
    if (!std::isfinite(a) || !std::isfinite(b) || a < start_ms - 0.002 || b < a || b > kMaxTimingMs) return;
    PhaseRecord rec;
    rec.phase = *phase;
    rec.span = Span{a, b};
    phases.push_back(rec);
  }
  std::stable_sort(phases.begin(), phases.end(),
                   [](const PhaseRecord& x, const PhaseRecord& y) { return x.span.start_ms < y.span.start_ms; });
  double end = start_ms;
  for (const auto& p : phases) end = std::max(end, p.span.end_ms);
  if (auto given_end = num(e, "_end_ms"); given_end && *given_end >= end && *given_end <= kMaxTimingMs) end = *given_end;
  r.phases = std::move(phases);
  r.span = Span{start_ms, end};
}

Run build_run(const Page& page, const json& creator, const ImportOptions& o, std::vector<std::string> file_warnings) {
  Run run;
  run.source = "har";
  run.producer = str(creator, "name");
  if (const std::string v = str(creator, "version"); !v.empty()) run.producer += " " + v;
  run.tool_version = std::string("pageload ") + PAGELOAD_VERSION;
  run.label = o.label;
  run.warnings = std::move(file_warnings);

  long long run_start = page.start_us.value_or(page.entries.empty() ? 0 : page.entries.front().start_us);
  for (const auto& e : page.entries) run_start = std::min(run_start, e.start_us);
  run.started_at = format_wall_time_us(run_start);

  json options{{"import", o.keep_secrets ? o.file : redact_text(o.file)}, {"page", page.id}};
  if (page.page) {
    const json& pt = obj(*page.page, "pageTimings");
    if (auto v = num(pt, "onContentLoad"); v && *v >= 0) options["onContentLoad"] = *v;
    if (auto v = num(pt, "onLoad"); v && *v >= 0) options["onLoad"] = *v;
  }
  options["title"] = o.keep_secrets ? page.title : redact_text(page.title);
  run.options_json = options.dump(-1, ' ', false, json::error_handler_t::replace);
  if (page.page) read_group(*page.page, run);

  std::map<std::string, int> connection_of;   // the HAR's connection key -> index
  std::map<std::string, int> seq_of_url;      // the first request of each URL
  double load_end = 0;
  std::set<int> redirected;                   // seqs that a later entry followed
  int far_start_said = 0;
  for (const auto& entry : page.entries) {
    const json& e = *entry.e;
    const json& req = obj(e, "request");
    const json& resp = obj(e, "response");
    Request r;
    r.id = static_cast<int>(run.requests.size());
    r.seq = r.id;
    r.method = str(req, "method");
    if (!is_token(r.method)) {  // an HTTP method is a token (RFC 9110 5.6.2); anything else is not kept
      r.warnings.push_back("request.method \"" + r.method.substr(0, 40) + "\" is not an HTTP method: stored as ?");
      r.method = "?";
    }
    r.url = str(req, "url");
    if (auto u = entry_url(r.url); u.ok()) {
      r.url = u->full;
      r.scheme = u->scheme;
      r.host = u->host;
      r.port = u->port;
    }
    const double start_ms = static_cast<double>(entry.start_us - run_start) / 1000.0;
    if (start_ms > kMaxTimingMs && !far_start_said++)  // a page does not load over days: a clock or a hand-made file
      run.warnings.push_back("an entry started " + std::to_string(static_cast<long long>(start_ms / 86400e3)) + " days after the page's first: its startedDateTime is likely wrong");
    r.request_headers = headers_of(obj(req, "headers"));
    r.response_headers = headers_of(obj(resp, "headers"));
    const std::string given_version = str(resp, "httpVersion").empty() ? str(req, "httpVersion") : str(resp, "httpVersion");
    r.http_version = http_version(given_version);
    if (r.http_version.empty() && !given_version.empty())
      r.warnings.push_back("httpVersion \"" + given_version.substr(0, 40) + "\" is not a protocol name: dropped");
    const auto status = num(resp, "status");
    // A status is three digits: anything else (2e57, found by the fuzzer) is no status, and
    // would not fit an int.
    if (status && *status >= 100 && *status <= 999) r.status = static_cast<int>(*status);
    else if (status && *status > 0)  // 0 and -1 are how producers write "no response"
      r.warnings.push_back("response.status " + (*status < 1e9 && *status == std::floor(*status)
                                                       ? std::to_string(static_cast<long long>(*status))
                                                       : fmt_ms(*status).substr(0, 24)) +
                           " is not an HTTP status: read as no response");
    r.reason = str(resp, "statusText");
    r.redirect_url = str(resp, "redirectURL");
    for (const auto& [n, v] : r.response_headers)
      if (ascii_lower_copy(n) == "location") r.location = v;
    r.header_bytes = byte_count(resp, "headersSize");
    r.body_bytes = byte_count(resp, "bodySize");
    // DevTools writes headersSize and bodySize -1 over HTTP/2 (it has no header text) and the
    // bytes received as _transferSize: without a split, all of them count as the body.
    // Chrome writes it inside `response`; pageload's earlier exports wrote it on the entry.
    auto transfer = byte_count(resp, "_transferSize");
    if (!transfer) transfer = byte_count(e, "_transferSize");
    if (transfer && *transfer == 0) {
      // Nothing crossed the network (a response from the browser's cache: Playwright still
      // writes its headersSize): nothing received. A size the HAR left unknown (-1, as
      // pageload's own export of a cache hit) stays unknown.
      if (r.header_bytes) r.header_bytes = 0;
      r.body_bytes = 0;
    } else if (transfer && !r.body_bytes) {
      r.body_bytes = r.header_bytes ? std::max<int64_t>(0, *transfer - *r.header_bytes) : *transfer;
    }
    const json& content = obj(resp, "content");
    r.body_decoded = byte_count(content, "size");
    r.content_type = str(content, "mimeType");
    // HAR requires a mimeType: DevTools and pageload write "x-unknown" where the server sent
    // none (a 304, a failed request). It is no type the server named.
    if (r.content_type == "x-unknown") r.content_type.clear();
    if (auto found = num(e, "_discovered_ms"); found && *found >= 0 && *found <= kMaxTimingMs) r.discovered_ms = *found;

    // Failed: pageload's or Chrome's `_error` (on the entry or its response), or no status.
    // Playwright writes Chromium's net error as `response._failureText`.
    const json& error = !obj(e, "_error").is_null()      ? obj(e, "_error")
                        : !obj(resp, "_error").is_null() ? obj(resp, "_error")
                                                         : obj(resp, "_failureText");
    const bool failed = !r.status || error.is_object() || (error.is_string() && !error.get_ref<const std::string&>().empty());
    const double end_ms = lay_out_phases(r, obj(e, "timings"), start_ms, failed);
    r.span = Span{start_ms, end_ms};
    // The HTTP cache: DevTools' `_fromCache` ("disk", "memory") is a response nothing went on
    // the network for: no phases, no connection. pageload's own lookup and savings as written.
    // An answered entry with a body but a _transferSize of 0 is one too: DevTools shows it
    // "(disk cache)", and Playwright marks a cache hit no other way. Without a body it is not
    // (Playwright writes a bodiless HTTP/2 response, a 301 or a 204 fetched from the network,
    // with a _transferSize of 0, its header sizes 0 over HTTP/2).
    const bool nothing_transferred = transfer && *transfer == 0 && !failed && r.body_decoded.value_or(0) > 0;
    if (const json& cached = obj(e, "_fromCache"); nothing_transferred ||
                                                   (cached.is_string() && !cached.get_ref<const std::string&>().empty()) ||
                                                   (cached.is_boolean() && cached.get<bool>())) {
      r.from_cache = true;
      r.cache_lookup = "fresh";
      r.phases.clear();
      // No phase is kept, so none was "read as 0" (Playwright's memory-cache hits write -1).
      std::erase_if(r.warnings, [](const std::string& w) {
        return w.rfind("timings.", 0) == 0 && w.find(": read as 0") != std::string::npos;
      });
    }
    if (const std::string lookup = str(e, "_cache_lookup");
        lookup == "fresh" || lookup == "revalidated" || lookup == "changed" || lookup == "miss")
      r.cache_lookup = lookup;
    r.bytes_saved = byte_count(e, "_bytes_saved");
    if (auto v = num(e, "_cache_lifetime_s"); v && *v >= 0 && *v < 1e12) r.cache_lifetime_s = *v;
    if (const std::string reason = str(e, "_cache_reason");
        std::find(cache::kReasonNames.begin(), cache::kReasonNames.end(), reason) != cache::kReasonNames.end())
      r.cache_reason = reason;  // only the names the store knows
    // Playwright's `time` adds ssl a second time (its connect already holds it): not worth a warning.
    const double ssl_ms = std::max(0.0, num(obj(e, "timings"), "ssl").value_or(0));
    if (auto t = num(e, "time"); t && !(failed && r.phases.empty()) &&
                                 std::fabs(*t - (end_ms - start_ms)) > 1.0 && std::fabs(*t - (end_ms - start_ms) - ssl_ms) > 1.0)
      r.warnings.push_back("the entry's time (" + fmt_ms(*t) + " ms) is not the sum of its timings (" +
                           fmt_ms(end_ms - start_ms) + " ms)");
    if (!r.from_cache) read_own_phases(e, start_ms, r);
    else if (auto given_end = num(e, "_end_ms"); given_end && *given_end >= start_ms && *given_end <= kMaxTimingMs)
      r.span.end_ms = *given_end;  // pageload's own cache lookup took this long
    load_end = std::max(load_end, r.span.end_ms);

    // The resource type the producer gave, else from the MIME type; the first entry is the document.
    if (auto t = type_from_devtools(str(e, "_resourceType"))) r.resource_type = *t;
    else r.resource_type = run.requests.empty() ? ResourceType::kDocument : type_from_mime(r.content_type);
    r.priority = priority_from_devtools(str(e, "_priority"));

    // Who asked for it: the hop it was redirected from, else the producer's _initiator URL.
    for (auto it = run.requests.rbegin(); it != run.requests.rend(); ++it) {
      if (!it->redirect_url.empty() && it->redirect_url == r.url && !redirected.count(it->seq)) {
        r.redirect_from = it->seq;
        r.initiator = it->seq;
        r.found_by = "redirect";
        if (r.resource_type != it->resource_type && !obj(e, "_resourceType").is_string()) r.resource_type = it->resource_type;
        redirected.insert(it->seq);
        break;
      }
    }
    const json& init = obj(e, "_initiator");
    if (!r.initiator && init.is_object()) {
      std::string from = str(init, "url");
      if (from.empty()) {
        const json& frames = obj(obj(init, "stack"), "callFrames");
        if (frames.is_array() && !frames.empty()) from = str(frames[0], "url");
      }
      if (auto it = seq_of_url.find(from); it != seq_of_url.end()) {
        r.initiator = it->second;
        // pageload's own export names how it was found ("html", "css", ...); others their type.
        r.found_by = str(init, "_foundBy").empty() ? "har: " + str(init, "type") : str(init, "_foundBy");
      }
    }

    // The connection: the producer's id, else the server address and origin.
    std::string key = str(e, "connection");
    std::string ip = str(e, "serverIPAddress");
    // Chrome writes an IPv6 address in brackets ("[2001:db8::1]"); it is stored bare.
    if (ip.size() > 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
    if (!ip.empty() && !is_ip_address(ip)) {
      r.warnings.push_back("serverIPAddress \"" + ip.substr(0, 40) + "\" is not an IP address: dropped");
      ip.clear();
    }
    if (key.empty() && !ip.empty()) key = ip + " " + r.scheme + "://" + r.host + ":" + std::to_string(r.port);
    if (!key.empty() && !r.from_cache) {
      key += " " + r.scheme + "://" + r.host + ":" + std::to_string(r.port);  // one id per origin at most
      auto [it, fresh] = connection_of.try_emplace(key, static_cast<int>(run.connections.size()));
      if (fresh) {
        Connection c;
        c.id = it->second;
        c.scheme = r.scheme;
        c.host = r.host;
        c.port = r.port;
        c.remote_ip = ip;
        // The port the producer gives (Playwright's and pageload's `_serverPort`), else the URL's.
        if (auto port = num(e, "_serverPort"); port && *port > 0 && *port < 65536) c.remote_port = static_cast<int>(*port);
        else if (!ip.empty()) c.remote_port = r.port;
        c.family = ip.find(':') != std::string::npos ? 6 : (ip.empty() ? 0 : 4);
        if (const PhaseRecord* p = r.phase(Phase::kConnect)) c.connect = p->span;
        run.connections.push_back(c);
      } else {
        r.reused = !r.phase(Phase::kConnect);
      }
      r.connection = it->second;
      Connection& c = run.connections[it->second];
      ++c.requests;
      // The handshake as pageload exported it, else as the browser saw it (the first one given).
      if (!c.tls && !read_tls(obj(e, "_tls"), c) &&
          read_security_details(obj(e, "_securityDetails"), r.status.has_value(), c) && r.http_version == "HTTP/2")
        c.tls->alpn = "h2";  // a browser speaks HTTP/2 over TLS only when ALPN chose it
    }

    // The lookup pageload exported with the request that made it.
    if (auto lookup = read_dns(obj(e, "_dns"), r.phase(Phase::kDns) ? r.phase(Phase::kDns)->span : Span{start_ms, start_ms})) {
      lookup->id = static_cast<int>(run.dns_lookups.size());
      r.dns_lookup = lookup->id;
      run.dns_lookups.push_back(std::move(*lookup));
    }

    // A failed request: pageload's `_error` (its class and phase), a browser's net error name,
    // or no response at all.
    if (auto why = read_error(error); why && (error.is_object() || !r.status)) {
      r.failure = why->failure;
      r.error_phase = why->phase;
    } else if (!r.status) {
      r.failure = read_error(json(""))->failure;
      r.error_phase = Phase::kWait;
    }
    // A request that failed before any connection answered spoke no HTTP version (Playwright
    // writes HTTP/1.1 for a host that never resolved; a TLS failure came before ALPN).
    if (r.failure && !r.status &&
        (r.error_phase == Phase::kDns || r.error_phase == Phase::kConnect || r.error_phase == Phase::kTunnel ||
         r.error_phase == Phase::kTls))
      r.http_version.clear();
    // A browser's failed request has its time to failure in `time` alone (Playwright writes
    // -1 for every timing): that time, in the phase it failed in.
    if (r.failure && r.error_phase && r.phases.empty() && !r.from_cache)
      if (auto t = num(e, "time"); t && *t > 0 && *t <= kMaxTimingMs) {
        r.phases.push_back(PhaseRecord{*r.error_phase, Span{start_ms, start_ms + *t}, std::nullopt});
        r.span.end_ms = std::max(r.span.end_ms, start_ms + *t);
        load_end = std::max(load_end, r.span.end_ms);
      }
    for (auto& p : r.phases)  // the phase it failed in carries the failure, as a measured run's
      if (r.failure && p.phase == r.error_phase) p.failure = r.failure;
    // A request that failed on a lookup another request made (it waited for it): the export
    // carries `_dns` only with the request that looked the host up; link this one to it too.
    if (r.failure && r.error_phase == Phase::kDns && !r.dns_lookup)
      for (auto it = run.dns_lookups.rbegin(); it != run.dns_lookups.rend(); ++it)
        if (it->host == r.host && it->failure) {
          r.dns_lookup = it->id;
          break;
        }
    seq_of_url.try_emplace(r.url, r.seq);
    run.requests.push_back(std::move(r));
  }

  // The page: the document's redirect chain from the first entry.
  if (!run.requests.empty()) {
    const Request* doc = &run.requests.front();
    run.url = doc->url;
    for (;;) {
      const Request* next = nullptr;
      for (const auto& q : run.requests)
        if (q.redirect_from == doc->seq) next = &q;
      if (!next) break;
      doc = next;
    }
    run.final_url = doc->url;
    run.final_status = doc->status;
    run.document_ms = doc->status ? std::optional<double>(doc->span.end_ms) : std::nullopt;
    run.load_ms = load_end;
    run.total_ms = load_end;
    if (doc->failure) {
      run.outcome = Outcome::kFailed;
      run.failure = doc->failure;
    } else {
      run.outcome = doc->status && *doc->status >= 400 ? Outcome::kHttpError : Outcome::kOk;
    }
  } else {
    run.url = page.title;
    run.outcome = Outcome::kFailed;
    run.failure = Failure{Code::kUsage, "the HAR's page has no entries"};
  }
  if (!o.keep_secrets) redact_run(run);
  return run;
}

// Counts the elements of log.entries while the text is parsed, building nothing, and stops
// at the first past kMaxEntries: a file that is refused for its size in entries is refused
// before a DOM of it (about ten times the text) is built.
class EntryCounter : public nlohmann::json_sax<json> {
 public:
  std::size_t count = 0;
  bool too_many = false;

  bool null() override { return element(); }
  bool boolean(bool) override { return element(); }
  bool number_integer(number_integer_t) override { return element(); }
  bool number_unsigned(number_unsigned_t) override { return element(); }
  bool number_float(number_float_t, const string_t&) override { return element(); }
  bool string(string_t&) override { return element(); }
  bool binary(binary_t&) override { return element(); }
  bool start_object(std::size_t) override {
    if (!element()) return false;
    frames_.push_back({true, {}, false});
    return true;
  }
  bool key(string_t& k) override {
    // Only the two keys on the way to log.entries are kept.
    if (frames_.size() <= 2) frames_.back().key = k;
    return true;
  }
  bool end_object() override { return pop(); }
  bool start_array(std::size_t) override {
    if (!element()) return false;
    const bool entries = frames_.size() == 2 && frames_[0].key == "log" && frames_[1].key == "entries";
    frames_.push_back({false, {}, entries});
    return true;
  }
  bool end_array() override { return pop(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

 private:
  struct Frame {
    bool object;
    std::string key;
    bool entries;  // the array log.entries
  };
  std::vector<Frame> frames_;

  // A value starts: one more entry when it is an element of log.entries.
  bool element() {
    if (!frames_.empty() && frames_.back().entries && ++count > kMaxEntries) {
      too_many = true;
      return false;  // stop: nothing more needs reading
    }
    return true;
  }
  bool pop() {
    if (!frames_.empty()) frames_.pop_back();
    return true;
  }
};

// Files below this many bytes are parsed at once: their DOM is small, and a second pass
// would only cost time.
constexpr std::size_t kPrecountBytes = 8u << 20;

}  // namespace

StatusOr<std::vector<Run>> read_har(std::string_view text, const ImportOptions& o) {
  if (text.size() > kMaxHarBytes)
    return bad(o, "larger than " + std::to_string(kMaxHarBytes >> 20) + " MiB: not imported");
  // Response bodies (content.text) and request bodies (postData.text) are not stored: they
  // are dropped while parsing, so a HAR of large bodies costs little memory.
  json::parser_callback_t drop_bodies = [](int, json::parse_event_t event, json& parsed) {
    return !(event == json::parse_event_t::key && parsed.is_string() && parsed.get_ref<const std::string&>() == "text");
  };
  if (text.size() > kPrecountBytes) {
    EntryCounter counter;
    try {
      json::sax_parse(text.begin(), text.end(), &counter);
    } catch (const json::exception&) {
      // Not JSON: the parse below says where.
    }
    if (counter.too_many)
      return bad(o, "more than " + std::to_string(kMaxEntries) + " entries: not imported");
  }
  json doc;
  try {
    doc = json::parse(text.begin(), text.end(), drop_bodies);
  } catch (const json::exception& e) {
    // parse_error for bad syntax; out_of_range for a number beyond a double (1e999), which
    // the parser also throws: both are a file that is not JSON pageload can read.
    std::string why = e.what();
    if (auto p = why.find("] "); p != std::string::npos) why = why.substr(p + 2);
    return bad(o, "not JSON: " + why);
  }
  const json& log = obj(doc, "log");
  if (!log.is_object()) return bad(o, "not a HAR file: no \"log\" object at the top");
  const json& entries = obj(log, "entries");
  if (!entries.is_array()) return bad(o, "not a HAR file: log.entries is not an array");
  if (entries.size() > kMaxEntries)
    return bad(o, std::to_string(entries.size()) + " entries, more than " + std::to_string(kMaxEntries) + ": not imported");

  std::vector<std::string> file_warnings;
  const std::string version = str(log, "version");
  if (version != "1.2" && version != "1.1")
    file_warnings.push_back("HAR version " + (version.empty() ? std::string("(none)") : version) +
                            ": read as 1.2");

  std::vector<Page> pages;
  std::map<std::string, std::size_t> page_index;
  if (const json& list = obj(log, "pages"); list.is_array()) {
    for (const auto& p : list) {
      Page page;
      page.id = str(p, "id");
      page.title = str(p, "title");
      page.page = &p;
      // pageload's own page start keeps the microseconds its entries' _start_ms count from.
      page.start_us = parse_wall_time_us(str(p, "_started_at"));
      if (!page.start_us) page.start_us = parse_wall_time_us(str(p, "startedDateTime"));
      if (page_index.count(page.id)) continue;  // a second page of one id adds nothing
      page_index[page.id] = pages.size();
      pages.push_back(std::move(page));
    }
  }
  std::size_t skipped = 0, not_http = 0, unparsable = 0;
  std::string first_unparsable;  // why the first of them could not be read
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const json& e = entries[i];
    const auto start = parse_wall_time_us(str(e, "startedDateTime"));
    if (!e.is_object() || !obj(e, "request").is_object() || str(obj(e, "request"), "url").empty() || !start) {
      ++skipped;
      continue;
    }
    // pageload records HTTP requests: a javascript:, data: or chrome-extension: entry
    // (DevTools writes some) is none.
    if (const std::string scheme = reference_scheme(str(obj(e, "request"), "url"));
        scheme != "http" && scheme != "https") {
      ++not_http;
      continue;
    }
    // A URL pageload cannot read even as a browser would (a broken host) would be stored
    // without its host, and written back as a HAR no validator accepts.
    if (auto url = entry_url(str(obj(e, "request"), "url")); !url.ok()) {
      if (!unparsable++) first_unparsable = url.status().message().substr(0, 120);
      continue;
    }
    const std::string ref = str(e, "pageref");
    auto it = page_index.find(ref);
    if (it == page_index.end()) {  // no page of that id (or none at all): a page of its own
      Page page;
      page.id = ref;
      page.title = str(obj(e, "request"), "url");
      page_index[ref] = pages.size();
      pages.push_back(std::move(page));
      file_warnings.push_back(ref.empty() ? "entries without a pageref: imported as a run of their own"
                                          : "entries name page \"" + ref + "\", which log.pages lacks: imported as a run of their own");
      it = page_index.find(ref);
    }
    Entry entry{&e, *start, i};
    // pageload's own export: the start on the run clock to the microsecond, and the order.
    Page& page = pages[it->second];
    if (auto at = num(e, "_start_ms"); at && page.start_us && *at >= 0 && *at <= kMaxTimingMs)
      entry.start_us = *page.start_us + std::llround(*at * 1000.0);
    if (auto seq = num(e, "_seq"); seq && *seq >= 0 && *seq < 1e9 && *seq == std::floor(*seq))
      entry.seq = static_cast<long long>(*seq);
    page.entries.push_back(entry);
  }
  if (skipped)
    file_warnings.push_back(std::to_string(skipped) +
                            " entries without a request URL or a valid startedDateTime: not imported");
  if (unparsable)
    file_warnings.push_back(std::to_string(unparsable) + (unparsable == 1 ? " entry" : " entries") +
                            " with a URL pageload cannot read: not imported; the first: " + first_unparsable);
  if (not_http)
    file_warnings.push_back(std::to_string(not_http) + (not_http == 1 ? " entry" : " entries") +
                            " not of an http or https URL: not imported");

  std::vector<Run> runs;
  for (auto& page : pages) {
    if (page.entries.empty()) continue;  // a page with no entries is no load
    std::stable_sort(page.entries.begin(), page.entries.end(),
                     [](const Entry& a, const Entry& b) { return a.start_us < b.start_us; });
    // pageload's export numbers its requests (`_seq`): when every entry has a distinct one,
    // that order is kept, so the requests come back with the numbers they had.
    std::set<long long> seqs;
    for (const auto& e : page.entries)
      if (e.seq) seqs.insert(*e.seq);
    if (seqs.size() == page.entries.size())
      std::stable_sort(page.entries.begin(), page.entries.end(), [](const Entry& a, const Entry& b) { return *a.seq < *b.seq; });
    // The file's warnings once, on its first run: they are not each page's.
    runs.push_back(build_run(page, obj(log, "creator"), o, runs.empty() ? file_warnings : std::vector<std::string>{}));
  }
  if (runs.empty()) {
    if (!file_warnings.empty()) return bad(o, "no entries to import: " + file_warnings.front());
    return bad(o, "no entries to import (log.entries is empty or none has a request URL and a start)");
  }
  return runs;
}

}  // namespace pageload::har
