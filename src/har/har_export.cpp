#include "har/har_export.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>

#include "core/ascii.h"
#include "core/page_notes.h"
#include "har/har_time.h"

namespace pageload::har {

namespace {

using nlohmann::ordered_json;

double micro_round(double ms) { return std::round(ms * 1000.0) / 1000.0; }

// A timing as HAR writes it: -1 (did not happen) as the integer the spec shows.
ordered_json timing(double ms) { return ms < 0 ? ordered_json(-1) : ordered_json(ms); }

std::optional<double> phase_ms(const Request& r, Phase p) {
  const PhaseRecord* rec = r.phase(p);
  if (!rec) return std::nullopt;
  return std::max(0.0, rec->span.duration_ms());
}

// Chrome DevTools writes _priority as the names Blink gives: VeryHigh .. VeryLow.
std::string_view devtools_priority(Priority p) {
  switch (p) {
    case Priority::kHighest: return "VeryHigh";
    case Priority::kHigh: return "High";
    case Priority::kMedium: return "Medium";
    case Priority::kLow: return "Low";
    case Priority::kLowest: return "VeryLow";
  }
  return "Medium";
}

ordered_json headers_json(const std::vector<Header>& headers) {
  ordered_json out = ordered_json::array();
  for (const auto& [name, value] : headers) out.push_back({{"name", name}, {"value", value}});
  return out;
}

// The Cookie request header's pairs ("a=1; b=2").
ordered_json request_cookies(const std::vector<Header>& headers) {
  ordered_json out = ordered_json::array();
  for (const auto& [name, value] : headers) {
    if (ascii_lower_copy(name) != "cookie") continue;
    for (auto part : split_on(value, ';')) {
      const std::string pair(trim_ows(part));
      if (pair.empty()) continue;
      const auto eq = pair.find('=');
      out.push_back({{"name", eq == std::string::npos ? pair : pair.substr(0, eq)},
                     {"value", eq == std::string::npos ? std::string() : pair.substr(eq + 1)}});
    }
  }
  return out;
}

// Each Set-Cookie response header: its name and value, then the attributes HAR names.
ordered_json response_cookies(const std::vector<Header>& headers) {
  ordered_json out = ordered_json::array();
  for (const auto& [name, value] : headers) {
    if (ascii_lower_copy(name) != "set-cookie") continue;
    const auto parts = split_on(value, ';');
    const std::string first(trim_ows(parts.front()));
    const auto eq = first.find('=');
    ordered_json c{{"name", eq == std::string::npos ? first : first.substr(0, eq)},
                   {"value", eq == std::string::npos ? std::string() : first.substr(eq + 1)}};
    for (std::size_t i = 1; i < parts.size(); ++i) {
      const std::string attr(trim_ows(parts[i]));
      const auto aeq = attr.find('=');
      const std::string key = ascii_lower_copy(aeq == std::string::npos ? attr : attr.substr(0, aeq));
      const std::string val = aeq == std::string::npos ? std::string() : attr.substr(aeq + 1);
      if (key == "path") c["path"] = val;
      else if (key == "domain") c["domain"] = val;
      else if (key == "expires") c["expires"] = val;
      else if (key == "httponly") c["httpOnly"] = true;
      else if (key == "secure") c["secure"] = true;
    }
    out.push_back(std::move(c));
  }
  return out;
}

// The URL's query as name/value pairs, as they appear in the URL (not decoded).
ordered_json query_string(std::string_view url) {
  ordered_json out = ordered_json::array();
  const auto q = url.find('?');
  if (q == std::string_view::npos) return out;
  std::string_view query = url.substr(q + 1);
  if (auto hash = query.find('#'); hash != std::string_view::npos) query = query.substr(0, hash);
  if (query.empty()) return out;
  for (auto part : split_on(query, '&')) {
    if (part.empty()) continue;
    const auto eq = part.find('=');
    out.push_back({{"name", std::string(eq == std::string_view::npos ? part : part.substr(0, eq))},
                   {"value", eq == std::string_view::npos ? std::string() : std::string(part.substr(eq + 1))}});
  }
  return out;
}

std::string header_value(const std::vector<Header>& headers, std::string_view name) {
  for (const auto& [n, v] : headers)
    if (ascii_lower_copy(n) == name) return v;
  return {};
}

// The version a request was sent in. One that failed before it had a connection (a name that
// did not resolve, a refused connect) was sent in none: "", as DevTools writes for it.
std::string request_http_version(const Request& r, const Connection* conn) {
  if (!r.http_version.empty()) return r.http_version;
  if (!conn) return {};
  // Failed before the connection could carry a request (a TLS handshake refused before ALPN
  // chose a protocol): no version was spoken.
  if (r.failure && !r.status &&
      (r.error_phase == Phase::kConnect || r.error_phase == Phase::kTunnel || r.error_phase == Phase::kTls))
    return {};
  return conn->tls && conn->tls->alpn == "h2" ? "HTTP/2" : "HTTP/1.1";
}

std::string page_id(const Run& run) { return "page_" + std::to_string(run.id); }

ordered_json dns_json(const DnsLookup& l) {
  ordered_json answers = ordered_json::array();
  for (const auto& a : l.answers)
    answers.push_back({{"type", a.type}, {"name", a.name}, {"value", a.value}, {"ttl", a.ttl}});
  ordered_json queries = ordered_json::array();
  for (const auto& q : l.queries) {
    ordered_json tries = ordered_json::array();
    for (const auto& t : q.attempts) {
      ordered_json a{{"server", t.server}, {"start_ms", micro_round(t.start_ms)}};
      a["end_ms"] = t.end_ms ? ordered_json(micro_round(*t.end_ms)) : ordered_json(nullptr);
      a["outcome"] = t.outcome;
      tries.push_back(std::move(a));
    }
    queries.push_back({{"type", q.type},
                       {"outcome", q.outcome},
                       {"ares_status", q.ares_status},
                       {"server", q.server},
                       {"ms", micro_round(q.span.duration_ms())},
                       {"tries", std::move(tries)}});
  }
  ordered_json out{{"host", l.host},
                   {"source", l.source},
                   {"servers", l.servers},
                   {"family", l.family},
                   {"outcome", l.outcome},
                   {"ares_status", l.ares_status},
                   {"ms", micro_round(l.span.duration_ms())},
                   {"answers", std::move(answers)},
                   {"queries", std::move(queries)}};
  if (!l.steps.empty()) out["steps"] = l.steps.size();
  if (l.failure)
    out["error"] = {{"class", std::string(code_name(l.failure->code))}, {"message", l.failure->message}};
  return out;
}

ordered_json tls_json(const Connection& c) {
  const TlsInfo& t = *c.tls;
  ordered_json out{{"version", t.version},
                   {"cipher", t.cipher},
                   {"alpn", t.alpn},
                   {"subject", t.subject},
                   {"issuer", t.issuer},
                   {"sans", t.sans},
                   {"not_before", t.not_before},
                   {"not_after", t.not_after},
                   {"verified", t.verified},
                   {"verify_result", t.verify_result},
                   {"verify_message", t.verify_message}};
  if (c.tls_round_trips) out["round_trips"] = *c.tls_round_trips;
  if (c.tls_session_offered) out["session_offered"] = *c.tls_session_offered;
  if (c.tls_resumed) out["resumed"] = *c.tls_resumed;
  return out;
}

const Request* by_seq(const Run& run, int seq) {
  for (const auto& r : run.requests)
    if (r.seq == seq) return &r;
  return nullptr;
}

ordered_json initiator_json(const Run& run, const Request& r) {
  if (!r.initiator) return {{"type", "other"}};
  const Request* from = by_seq(run, *r.initiator);
  ordered_json out{{"type", r.found_by == "redirect" ? "redirect" : "parser"}};
  if (from) out["url"] = from->url;
  out["_seq"] = *r.initiator;
  if (!r.found_by.empty()) out["_foundBy"] = r.found_by;
  return out;
}

ordered_json entry_json(const Run& run, const Request& r, const std::string& run_start) {
  const HarTimings t = har_timings(r);
  const Connection* conn = r.connection && *r.connection >= 0 &&
                                   static_cast<std::size_t>(*r.connection) < run.connections.size()
                               ? &run.connections[*r.connection]
                               : nullptr;
  double start = r.span.start_ms;  // the entry starts with its first phase (blocked, when queued)
  for (const auto& p : r.phases) start = std::min(start, p.span.start_ms);
  // The request body is never stored; its size is the Content-Length pageload sent.
  const std::string sent_length = header_value(r.request_headers, "content-length");
  int64_t body_size = sent_length.empty() ? 0 : -1;
  if (!sent_length.empty()) {
    char* end = nullptr;
    const long long n = std::strtoll(sent_length.c_str(), &end, 10);
    if (end && *end == '\0' && n >= 0) body_size = n;
  }
  const bool has_body = body_size != 0;

  ordered_json request{{"method", r.method},
                       {"url", r.url},
                       {"httpVersion", request_http_version(r, conn)},
                       {"cookies", request_cookies(r.request_headers)},
                       {"headers", headers_json(r.request_headers)},
                       {"queryString", query_string(r.url)},
                       {"headersSize", -1},
                       {"bodySize", body_size}};
  if (has_body) {
    request["postData"] = {{"mimeType", header_value(r.request_headers, "content-type")},
                           {"text", ""},
                           {"comment", "pageload does not store request bodies"}};
  }

  const int64_t decoded = r.body_decoded.value_or(r.body_bytes.value_or(0));
  ordered_json content{{"size", decoded},
                       {"mimeType", r.content_type.empty() ? "x-unknown" : r.content_type}};
  // A response from the cache came over no wire: its body is not compressed to 0 bytes.
  if (!r.from_cache && r.body_bytes && r.body_decoded && *r.body_decoded >= *r.body_bytes)
    content["compression"] = *r.body_decoded - *r.body_bytes;
  ordered_json response{{"status", r.status.value_or(0)},
                        {"statusText", r.reason},
                        {"httpVersion", r.http_version},
                        {"cookies", response_cookies(r.response_headers)},
                        {"headers", headers_json(r.response_headers)},
                        {"content", std::move(content)},
                        {"redirectURL", r.redirect_url},
                        {"headersSize", r.header_bytes ? ordered_json(*r.header_bytes) : ordered_json(-1)},
                        {"bodySize", r.body_bytes ? ordered_json(*r.body_bytes) : ordered_json(-1)}};
  // Where Chrome DevTools writes it: the bytes received for the response, headers and body.
  if (r.header_bytes || r.body_bytes)
    response["_transferSize"] = r.header_bytes.value_or(0) + r.body_bytes.value_or(0);

  ordered_json timings{{"blocked", timing(t.blocked)}, {"dns", timing(t.dns)},   {"connect", timing(t.connect)},
                       {"ssl", timing(t.ssl)},         {"send", t.send},         {"wait", t.wait},
                       {"receive", t.receive}};

  ordered_json e;
  e["pageref"] = page_id(run);
  e["startedDateTime"] = wall_time(run_start, start).value_or(run_start);
  e["time"] = micro_round(t.total());
  e["request"] = std::move(request);
  e["response"] = std::move(response);
  e["cache"] = ordered_json::object();
  e["timings"] = std::move(timings);
  if (conn && !conn->remote_ip.empty()) e["serverIPAddress"] = conn->remote_ip;
  if (conn && conn->remote_port > 0) e["_serverPort"] = conn->remote_port;  // Playwright's name
  if (r.connection) e["connection"] = std::to_string(*r.connection);
  e["_initiator"] = initiator_json(run, r);
  if (r.priority) e["_priority"] = devtools_priority(*r.priority);
  e["_resourceType"] = resource_type_name(r.resource_type);
  e["_seq"] = r.seq;
  // startedDateTime holds whole milliseconds; the start on the run clock keeps the rest.
  e["_start_ms"] = micro_round(start);
  // Each phase's own span on the run clock: HAR's timings lay phases end to end, so the gaps
  // between them (curl's bookkeeping) and the request's end come back only from here.
  ordered_json phases = ordered_json::object();
  for (const auto& p : r.phases)
    phases[std::string(phase_name(p.phase))] = ordered_json::array({micro_round(p.span.start_ms), micro_round(p.span.end_ms)});
  if (!phases.empty()) e["_phases"] = std::move(phases);
  e["_end_ms"] = micro_round(r.span.end_ms);
  if (r.discovered_ms) e["_discovered_ms"] = micro_round(*r.discovered_ms);
  if (r.reused) e["_reused_connection"] = true;
  // The HTTP cache: DevTools' mark for a response the cache answered ("disk": pageload's
  // cache is a file), and pageload's own lookup, bytes spared and what the headers allowed.
  if (r.from_cache) e["_fromCache"] = "disk";
  if (!r.cache_lookup.empty()) e["_cache_lookup"] = r.cache_lookup;
  if (r.bytes_saved) e["_bytes_saved"] = *r.bytes_saved;
  if (r.cache_lifetime_s) e["_cache_lifetime_s"] = micro_round(*r.cache_lifetime_s);
  if (!r.cache_reason.empty()) e["_cache_reason"] = r.cache_reason;
  if (r.dns_lookup && *r.dns_lookup >= 0 && static_cast<std::size_t>(*r.dns_lookup) < run.dns_lookups.size() &&
      r.phase(Phase::kDns))
    e["_dns"] = dns_json(run.dns_lookups[*r.dns_lookup]);
  if (conn && conn->tls && r.phase(Phase::kTls)) e["_tls"] = tls_json(*conn);
  if (r.failure) {
    e["_error"] = {{"phase", r.error_phase ? std::string(phase_name(*r.error_phase)) : std::string()},
                   {"class", std::string(code_name(r.failure->code))},
                   {"message", r.failure->message}};
  }
  if (!r.warnings.empty()) e["_warnings"] = r.warnings;
  if (!r.note.empty()) e["_note"] = r.note;
  return e;
}

ordered_json page_json(const Run& run) {
  // An imported run gives back what its producer measured (a browser's DOMContentLoaded and
  // load, its title); pageload's own load has no DOMContentLoaded (-1, unknown).
  const ProducerTimings producer = producer_timings(run);
  ordered_json timings{
      {"onContentLoad", producer.content_loaded_ms ? ordered_json(micro_round(*producer.content_loaded_ms)) : ordered_json(-1)},
      {"onLoad", producer.load_ms ? ordered_json(micro_round(*producer.load_ms))
                 : run.load_ms    ? ordered_json(micro_round(*run.load_ms))
                                  : ordered_json(-1)}};
  if (run.document_ms) timings["_documentReceived"] = micro_round(*run.document_ms);
  ordered_json page{{"startedDateTime", wall_time(run.started_at, 0).value_or(run.started_at)},
                    {"id", page_id(run)},
                    {"title", !producer.title.empty() ? producer.title : run.final_url.empty() ? run.url : run.final_url},
                    {"pageTimings", std::move(timings)}};
  page["_run_id"] = run.id;
  page["_started_at"] = run.started_at;  // with microseconds: the entries' _start_ms count from it
  page["_outcome"] = outcome_name(run.outcome);
  if (!run.label.empty()) page["_label"] = run.label;
  // Its place in a group (-n, --repeat-view), as WebPageTest marks its pages (_run, _cached).
  if (run.group_id) page["_group_id"] = *run.group_id;
  if (run.view) page["_view"] = run_view_name(*run.view);
  if (run.run_number) page["_run_number"] = *run.run_number;
  if (run.failure)
    page["_error"] = {{"class", std::string(code_name(run.failure->code))}, {"message", run.failure->message}};
  if (!run.warnings.empty()) page["_warnings"] = run.warnings;
  return page;
}

}  // namespace

double HarTimings::total() const {
  double sum = send + wait + receive;
  for (double v : {blocked, dns, connect})
    if (v > 0) sum += v;
  return sum;
}

HarTimings har_timings(const Request& r) {
  HarTimings t;
  if (auto v = phase_ms(r, Phase::kBlocked)) t.blocked = micro_round(*v);
  if (auto v = phase_ms(r, Phase::kDns)) t.dns = micro_round(*v);
  const auto connect = phase_ms(r, Phase::kConnect);
  const auto tunnel = phase_ms(r, Phase::kTunnel);
  const auto tls = phase_ms(r, Phase::kTls);
  if (tls) t.ssl = micro_round(*tls);
  // HAR counts ssl inside connect: connect runs from the TCP SYN to the end of the handshake.
  // A proxy's CONNECT tunnel is in it too, as Chrome counts it (HAR has no field of its own).
  if (connect || tunnel || tls) t.connect = micro_round(connect.value_or(0) + tunnel.value_or(0) + tls.value_or(0));
  t.send = micro_round(phase_ms(r, Phase::kSend).value_or(0));
  t.wait = micro_round(phase_ms(r, Phase::kWait).value_or(0));
  t.receive = micro_round(phase_ms(r, Phase::kReceive).value_or(0));
  return t;
}

std::string write_har(const std::vector<Run>& runs, int indent) {
  ordered_json pages = ordered_json::array();
  ordered_json entries = ordered_json::array();
  std::string version = "unknown";
  for (const Run& run : runs) {
    if (!run.tool_version.empty()) version = run.tool_version.substr(run.tool_version.find(' ') + 1);
    pages.push_back(page_json(run));
    std::vector<const Request*> order;
    for (const auto& r : run.requests) order.push_back(&r);
    std::stable_sort(order.begin(), order.end(),
                     [](const Request* a, const Request* b) { return a->span.start_ms < b->span.start_ms; });
    for (const Request* r : order) entries.push_back(entry_json(run, *r, run.started_at));
  }
  ordered_json log{{"version", "1.2"},
                   {"creator", {{"name", "pageload"}, {"version", version}}},
                   {"pages", std::move(pages)},
                   {"entries", std::move(entries)}};
  ordered_json doc{{"log", std::move(log)}};
  // Server strings may hold bytes that are not UTF-8; HAR is JSON text, so they are replaced.
  return doc.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace pageload::har
