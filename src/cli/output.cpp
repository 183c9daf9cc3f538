#include "cli/output.h"

#include "cli/trace_output.h"

#include <nlohmann/json.hpp>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

#include "cli/connect_output.h"
#include "cli/tls_output.h"
#include "core/http_status.h"
#include "core/page_notes.h"
#include "report/format.h"

namespace pageload::cli {

std::string ms_text(double v) { return ms_figure(v) + " ms"; }

namespace {

std::string ms(double v) { return ms_text(v); }

}  // namespace

namespace {

const char* paint(bool color, const char* code) { return color ? code : ""; }

std::string status_text(const Request& r) {
  if (!r.status) return "-";
  return safe(status_with_reason(*r.status, r.reason.substr(0, 60), r.http_version), 160);
}

std::string connection_text(const Run& run, const Request& r) {
  if (r.from_cache) return "none: answered by the HTTP cache, nothing on the network";
  if (!r.connection) return "no connection";
  const Connection& c = run.connections[*r.connection];
  // An imported run's address is the HAR's text: escaped like any string from outside.
  const std::string ip = safe(c.remote_ip, 64);
  std::string where = c.remote_ip.empty() ? "" : " " + (c.family == 6 ? "[" + ip + "]" : ip) + ":" +
                                                     std::to_string(c.remote_port);
  return "conn #" + std::to_string(c.id) + (r.reused ? " reused" : " new") + where;
}

// What the HTTP cache did and what the headers allow it: "fresh in the cache (saved 12.3
// KiB); max-age: fresh 7 d". Empty for a request without a response.
std::string cache_text(const Request& r) {
  std::string out;
  if (r.cache_lookup == "fresh") out = "answered from the cache";
  else if (r.cache_lookup == "revalidated") out = "revalidated: 304, the cached copy used";
  else if (r.cache_lookup == "changed") out = "revalidated: changed, a new copy";
  else if (r.cache_lookup == "miss") out = "not in the cache";
  if (r.bytes_saved) out += " (saved " + std::to_string(*r.bytes_saved) + " B)";
  if (r.cache_reason.empty()) return out;
  if (!out.empty()) out += "; ";
  out += "cacheable: " + r.cache_reason;
  if (r.cache_lifetime_s && *r.cache_lifetime_s > 0) out += ", fresh for " + std::to_string(static_cast<long long>(*r.cache_lifetime_s)) + " s";
  return out;
}

// A run pageload did not measure: "imported from a HAR file, written by Playwright 1.65.1".
std::string imported_text(const std::string& source, const std::string& producer) {
  std::string out = source == "har" ? "imported from a HAR file" : "from " + safe(source, 40);
  return out + (producer.empty() ? ", its producer not named" : ", written by " + safe(producer, 80));
}

// "image (priority low), found by img srcset in #0 at 7.21 ms"
std::string found_text(const Request& r) {
  std::string out(resource_type_name(r.resource_type));
  if (r.priority) out += " (priority " + std::string(priority_name(*r.priority)) + ")";
  // A HAR need not say who asked for a request: only the first one is the page's own.
  if (!r.initiator) return out + (r.seq == 0 ? ", the page's first request" : ", initiator not recorded");
  out += ", found by " + (r.found_by.empty() ? std::string("-") : safe(r.found_by)) + " in #" + std::to_string(*r.initiator);
  if (r.discovered_ms) out += " at " + ms(*r.discovered_ms);
  return out;
}

// One try of a DNS query: where it went, when, and what came of it.
std::string attempt_text(const DnsAttempt& a) {
  std::string out = "sent to " + safe(a.server) + " at " + ms(a.start_ms) + ": ";
  if (!a.end_ms) return out + "no reply before another server's answer";
  return out + safe(a.outcome) + " after " + ms(Span{a.start_ms, *a.end_ms}.duration_ms());
}

}  // namespace

std::string format_summary(const Run& run, bool color, int width) {
  const char* bold = paint(color, "\033[1m");
  const char* red = paint(color, "\033[31m");
  const char* reset = paint(color, "\033[0m");
  const TableStyle style{width, color, kSummaryRows};  // a big page's rest is in `show`
  std::ostringstream out;
  const std::string method = run.requests.empty() ? "" : safe(run.requests.front().method, 32) + " ";
  const std::size_t room = static_cast<std::size_t>(std::max(width, 20)) - std::min<std::size_t>(method.size(), 10);
  out << bold << method << cut_middle(safe(run.url, 8192), room, room / 2) << reset << "\n";
  out << format_request_table(run, style);
  // One request says it all on its line; a page gets its totals, a page of its document
  // alone too (say one served as application/octet-stream, which is not parsed).
  if (run.requests.size() > 1 || loaded_as_page(run)) out << "\n" << format_totals(run, style) << "\n" << format_page_figures(run) << "\n";
  if (const std::string why = document_not_parsed_note(run); !why.empty()) out << safe(why, 400) << "\n";
  // A lookup walked from the root (--dns-trace): its steps under the table, once per walk
  // however many requests waited for it (they are named beside the one whose phase it was).
  std::map<int, std::vector<int>> walked;  // lookup -> the seqs of the requests with its dns phase
  for (const auto& r : run.requests)
    if (r.dns_lookup && r.phase(Phase::kDns) && *r.dns_lookup >= 0 && *r.dns_lookup < static_cast<int>(run.dns_lookups.size()))
      walked[*r.dns_lookup].push_back(r.seq);
  for (const auto& [lookup, seqs] : walked)
    if (std::string walk = format_walk_summary(run.dns_lookups[static_cast<std::size_t>(lookup)], color); !walk.empty()) {
      out << bold << "#" << seqs.front() << " " << safe(run.dns_lookups[static_cast<std::size_t>(lookup)].host) << reset;
      for (std::size_t i = 1; i < seqs.size(); ++i) out << (i == 1 ? " (also #" : ", #") << seqs[i];
      out << (seqs.size() > 1 ? ")" : "") << "\n" << walk;
    }
  for (const auto& w : run.warnings) out << "warning: " << safe(w) << "\n";
  out << bold << "run " << run.id << " " << outcome_name(run.outcome) << reset;
  if (const std::string place = report::group_place(run); !place.empty()) out << " · " << place;
  // A warm load from --cache DIR is a first visit by nothing else it says: name it.
  bool from_dir = false;
  if (const std::string cache = cache_start_note(run, &from_dir); from_dir) out << " · HTTP cache " << safe(cache, 400);
  if (run.final_status) out << " · final " << *run.final_status;
  out << " · " << run.requests.size() << (run.requests.size() == 1 ? " request" : " requests");
  out << " · " << run.connections.size() << (run.connections.size() == 1 ? " connection" : " connections");
  // With --share-connections a run may only reuse what an earlier run opened: the host
  // table counts connections opened, so say why the two differ.
  std::set<int> opened;
  for (const auto& r : run.requests)
    if (r.connection && !r.reused) opened.insert(*r.connection);
  if (opened.size() < run.connections.size())
    out << " (" << run.connections.size() - opened.size() << " reused from an earlier run)";
  if (run.total_ms) out << " · total " << ms(*run.total_ms);
  out << "\n";
  // Under -k a load goes on past a certificate that failed: the verdict must not read as sound.
  if (std::string unverified = unverified_line(run); !unverified.empty()) out << red << unverified << reset << "\n";
  if (run.failure) out << red << "error: " << code_name(run.failure->code) << ": " << safe(run.failure->message, kFailureText) << reset << "\n";
  return out.str();
}

std::string format_show(const Run& run, int width) {
  std::ostringstream out;
  out << "run " << run.id << "  " << run.started_at << "  " << outcome_name(run.outcome) << "\n";
  if (run.source != "pageload")
    out << "  source     " << imported_text(run.source, run.producer) << "\n";
  if (const std::string browser = producer_timings_note(run); !browser.empty())
    out << "  measured   " << browser << "\n";
  out << "  url        " << safe(run.url) << "\n";
  out << "  final      " << safe(run.final_url) << (run.final_status ? " (" + std::to_string(*run.final_status) + ")" : "")
      << "\n";
  if (run.outcome != Outcome::kRunning) {
    const Run::Figures f = run.figures();
    // Headers apart from bodies, so bodies compare with their decoded size like for like.
    int64_t headers = 0, bodies = 0;
    for (const auto& r : run.requests) {
      headers += r.header_bytes.value_or(0);
      bodies += r.body_bytes.value_or(0);
    }
    out << "  page       " << format_page_figures(run) << "\n";
    if (const std::string why = document_not_parsed_note(run); !why.empty()) out << "  document   " << safe(why, 400) << "\n";
    out << "  requests   " << f.requests << " (" << f.redirects << (f.redirects == 1 ? " redirect, " : " redirects, ")
        << f.failed << " failed), " << bytes_text(f.transfer_bytes) << " received: " << bytes_text(headers)
        << " of headers, " << bytes_text(bodies) << " of bodies (" << bytes_text(f.decoded_bytes) << " decoded)\n";
  }
  if (run.total_ms) out << "  total      " << ms(*run.total_ms) << "\n";
  if (!run.label.empty()) out << "  label      " << safe(run.label) << "\n";
  if (const std::string place = report::group_place(run); !place.empty()) out << "  group      " << place << "\n";
  if (const std::string cache = cache_start_note(run); !cache.empty()) out << "  http cache " << safe(cache, 400) << " when the load began\n";
  if (!run.proxy.empty()) out << "  proxy      " << safe(run.proxy) << "\n";
  if (run.failure) out << "  error      " << code_name(run.failure->code) << ": " << safe(run.failure->message, kFailureText) << "\n";
  if (std::string unverified = unverified_line(run); !unverified.empty()) out << "  tls        " << unverified << "\n";
  for (const auto& w : run.warnings) out << "  warning    " << safe(w) << "\n";
  // An imported run has no library versions: no trailing "; ".
  out << "  versions   " << run.tool_version << (run.library_versions.empty() ? "" : "; " + run.library_versions) << "\n";
  if (!run.requests.empty()) {
    const TableStyle style{width, false};
    out << "\n" << format_request_table(run, style) << "\n" << format_totals(run, style);
  }
  for (const auto& r : run.requests) {
    out << "\nrequest #" << r.seq << ": " << safe(r.method, 32) << " " << safe(r.url) << "\n";
    const std::string status = status_text(r);  // may name the version already (HTTP/2 sends no phrase)
    const bool named = !r.http_version.empty() && status.find(r.http_version) != std::string::npos;
    out << "  status     " << status << (r.http_version.empty() || named ? "" : " (" + safe(r.http_version, 20) + ")") << "\n";
    out << "  fetched    " << found_text(r) << "\n";
    if (!r.note.empty()) out << "  note       " << safe(r.note) << "\n";
    if (!r.location.empty()) out << "  location   " << safe(r.location) << "\n";
    out << "  connection " << connection_text(run, r) << "\n";
    if (std::string cache = cache_text(r); !cache.empty()) out << "  cache      " << cache << "\n";
    out << "  span       " << ms(r.span.start_ms) << " .. " << ms(r.span.end_ms) << " (" << ms(r.span.duration_ms())
        << ")\n";
    for (const auto& p : r.phases) {
      out << "    " << phase_name(p.phase) << std::string(9 - phase_name(p.phase).size(), ' ') << ms(p.span.start_ms)
          << " .. " << ms(p.span.end_ms) << "  " << ms(p.span.duration_ms());
      if (p.failure) out << "  FAILED " << code_name(p.failure->code) << ": " << safe(p.failure->message, kFailureText);
      out << "\n";
    }
    if (r.dns_lookup) {
      const DnsLookup& d = run.dns_lookups[*r.dns_lookup];
      out << "  dns        " << safe(d.host) << " via " << safe(d.source, 20) << " " << safe(d.outcome, 40);
      // Only servers that were sent something: a cache or hosts answer asked none, and a
      // lookup the first server answered never asked the others configured.
      const auto asked = d.asked_servers();
      if (d.source == "trace") {  // the roots the walk asked (its steps are printed below)
        for (const auto& root : d.servers)
          if (std::find(asked.begin(), asked.end(), root) != asked.end()) out << " @" << safe(root);
      } else {
        if (!asked.empty()) out << ", asked";
        for (const auto& s : asked) out << " @" << safe(s);
      }
      out << "\n";
      for (const auto& q : d.queries) {
        out << "    query " << safe(q.type, 12) << " " << safe(q.outcome, 40) << (q.server.empty() ? "" : " from " + safe(q.server))
            << " in " << ms(q.span.duration_ms()) << "\n";
        for (const auto& a : q.attempts) out << "      " << attempt_text(a) << "\n";
      }
      for (const auto& a : d.answers)
        out << "    " << safe(a.type, 12) << " " << safe(a.name) << " -> " << safe(a.value) << " ttl " << a.ttl << "\n";
      out << format_walk_show(d);
    }
    if (r.body_bytes) out << "  body       " << *r.body_bytes << " bytes on the wire, " << r.body_decoded.value_or(0)
                          << " decoded" << (r.content_type.empty() ? "" : ", " + safe(r.content_type)) << "\n";
    for (const auto& [name, value] : r.response_trailers) out << "  trailer    " << safe(name) << ": " << safe(value) << "\n";
    for (const auto& w : r.warnings) out << "  warning    " << safe(w) << "\n";
    if (r.failure) out << "  error      " << code_name(r.failure->code) << ": " << safe(r.failure->message, kFailureText) << "\n";
  }
  for (const auto& c : run.connections) {
    // An imported connection has no local end (a HAR records none): left out, not ":0".
    const std::string local = c.local_ip.empty() ? std::string() : c.local_ip + ":" + std::to_string(c.local_port) + " ";
    out << "\nconnection #" << c.id << ": " << c.scheme << "://" << c.host << ":" << c.port << "  " << local << "-> "
        << (c.family == 6 ? "[" + safe(c.remote_ip, 64) + "]" : safe(c.remote_ip, 64)) << ":" << c.remote_port << "  (" << c.requests
        << (c.requests == 1 ? " request)\n" : " requests)\n");
    if (std::string why = connection_purpose_note(run, c); !why.empty()) out << "  kept apart " << why << "\n";
    if (!c.proxy.empty()) out << "  proxy      " << safe(c.proxy) << "\n";
    if (!c.retry_reason.empty()) out << "  given up   " << safe(c.retry_reason) << " (curl retried)\n";
    for (const auto& a : c.attempts) out << "  tried      " << attempt_line(a) << "\n";
    if (c.tls) {
      if (!c.tls->version.empty())
        out << "  tls        " << safe(c.tls->version, 20) << " " << safe(c.tls->cipher, 60) << (c.tls->alpn.empty() ? "" : " alpn " + safe(c.tls->alpn, 20))
          << "\n";
      out << "  subject    " << safe(c.tls->subject) << "\n  issuer     " << safe(c.tls->issuer) << "\n  expires    "
          << safe(c.tls->not_after, 40) << "\n  verify     "
          << (c.tls->verified ? "ok" : (c.tls->verify_message.empty() ? "not verified (-k)" : safe(c.tls->verify_message)))
          << "\n";
    }
    out << tls_show_lines(c);
  }
  return out.str();
}

std::string format_list(const std::vector<store::RunSummary>& runs) {
  std::ostringstream out;
  char line[512];
  std::snprintf(line, sizeof line, "%6s  %-20s  %-24s  %6s  %5s  %6s  %10s  %s\n", "run", "started (UTC)", "outcome", "status",
                "reqs", "failed", "load", "url");
  out << line;
  for (const auto& r : runs) {
    const bool running = r.outcome == "running";  // nothing counted yet
    std::string status = r.final_status ? std::to_string(*r.final_status) : "-";
    // A page's load time: every request done ("fully loaded"); total_ms for runs stored
    // before pages were loaded (the same figure for a redirect chain).
    const std::optional<double> load = r.load_ms ? r.load_ms : r.total_ms;
    std::string load_text = load ? ms(*load) : "-";
    std::string requests = running ? "-" : std::to_string(r.requests);
    std::string failed = running || !r.failed ? "-" : std::to_string(*r.failed);
    // A failed run says why in a word: its error class (failed:dns_nxdomain), one cell
    // still for whoever splits the lines on white space.
    const std::string outcome = r.error_class.empty() ? r.outcome : r.outcome + ":" + safe(r.error_class, 40);
    std::snprintf(line, sizeof line, "%6lld  %-20.19s  %-24s  %6s  %5s  %6s  %10s  %s%s\n", static_cast<long long>(r.id),
                  r.started_at.c_str(), outcome.c_str(), status.c_str(), requests.c_str(), failed.c_str(),
                  load_text.c_str(), safe(r.url, 100).c_str(), r.label.empty() ? "" : ("  [" + safe(r.label, 40) + "]").c_str());
    out << line;
    if (r.source != "pageload") out << "        " << imported_text(r.source, r.producer) << "\n";
    if (const std::string place = report::group_place(r.group_id, r.view, r.run_number); !place.empty())
      out << "        " << place << "\n";
    // Loaded under -k: the outcome alone would read as a sound load.
    if (r.unverified_connections > 0)
      out << "        certificate not verified (-k): " << (r.unverified_why.empty() ? "unknown reason" : safe(r.unverified_why, 200))
          << (r.unverified_connections > 1 ? " (" + std::to_string(r.unverified_connections) + " connections)" : "") << "\n";
  }
  return out.str();
}

std::string format_json(const Run& run) {
  using nlohmann::json;
  // As in the database: text that is not known is null, never "".
  auto text = [](const std::string& v) { return v.empty() ? json(nullptr) : json(v); };
  auto number = [](int v) { return v ? json(v) : json(nullptr); };  // 0: unknown port/family
  auto span = [](const Span& s) { return json{{"start_ms", s.start_ms}, {"end_ms", s.end_ms}, {"ms", s.duration_ms()}}; };
  auto failure = [](const std::optional<Failure>& f) {
    return f ? json{{"class", code_name(f->code)}, {"message", f->message}} : json(nullptr);
  };
  auto headers = [](const std::vector<Header>& hs) {
    json a = json::array();
    for (const auto& [n, v] : hs) a.push_back({n, v});
    return a;
  };
  json requests = json::array();
  for (const auto& r : run.requests) {
    json phases = json::object();
    for (const auto& p : r.phases) {
      json j = span(p.span);
      if (p.failure) j["error"] = failure(p.failure);
      phases[std::string(phase_name(p.phase))] = j;
    }
    requests.push_back({
        {"seq", r.seq},
        {"redirect_from", r.redirect_from ? json(*r.redirect_from) : json(nullptr)},
        {"method", r.method},
        {"url", r.url},
        {"status", r.status ? json(*r.status) : json(nullptr)},
        {"reason", text(r.reason)},
        {"http_version", text(r.http_version)},
        {"location", text(r.location)},
        {"redirect_url", text(r.redirect_url)},
        {"connection", r.connection ? json(*r.connection) : json(nullptr)},
        {"reused", r.reused},
        {"dns_lookup", r.dns_lookup ? json(*r.dns_lookup) : json(nullptr)},
        {"span", span(r.span)},
        {"phases", phases},
        {"header_bytes", r.header_bytes ? json(*r.header_bytes) : json(nullptr)},
        {"body_bytes", r.body_bytes ? json(*r.body_bytes) : json(nullptr)},
        {"body_decoded_bytes", r.body_decoded ? json(*r.body_decoded) : json(nullptr)},
        {"content_type", text(r.content_type)},
        {"request_headers", headers(r.request_headers)},
        {"response_headers", headers(r.response_headers)},
        {"response_trailers", headers(r.response_trailers)},
        {"warnings", r.warnings},
        {"error_phase", r.error_phase ? json(std::string(phase_name(*r.error_phase))) : json(nullptr)},
        {"error", failure(r.failure)},
        {"resource_type", resource_type_name(r.resource_type)},
        {"initiator", r.initiator ? json(*r.initiator) : json(nullptr)},
        {"discovered_ms", r.discovered_ms ? json(*r.discovered_ms) : json(nullptr)},
        {"priority", r.priority ? json(std::string(priority_name(*r.priority))) : json(nullptr)},
        {"found_by", text(r.found_by)},
        {"note", text(r.note)},
        {"cache_lifetime_s", r.cache_lifetime_s ? json(*r.cache_lifetime_s) : json(nullptr)},
        {"cache_reason", text(r.cache_reason)},
        {"cache_lookup", text(r.cache_lookup)},
        {"from_cache", r.from_cache},
        {"bytes_saved", r.bytes_saved ? json(*r.bytes_saved) : json(nullptr)},
    });
  }
  json connections = json::array();
  for (const auto& c : run.connections) {
    json attempts = json::array();
    for (const auto& a : c.attempts)
      attempts.push_back({{"address", a.address}, {"port", number(a.port)}, {"error", text(a.error)},
                          {"start_ms", a.span ? json(a.span->start_ms) : json(nullptr)},
                          {"end_ms", a.span ? json(a.span->end_ms) : json(nullptr)},
                          {"after_fallback_delay", a.span ? json(a.after_fallback_delay) : json(nullptr)}});
    json tls = nullptr;
    if (c.tls)
      tls = {{"version", text(c.tls->version)},       {"cipher", text(c.tls->cipher)},
             {"alpn", text(c.tls->alpn)},             {"subject", text(c.tls->subject)},
             {"issuer", text(c.tls->issuer)},         {"sans", c.tls->sans},
             {"not_before", text(c.tls->not_before)}, {"not_after", text(c.tls->not_after)},
             {"verify_result", c.tls->verify_result}, {"verify_message", text(c.tls->verify_message)},
             {"verified", c.tls->verified}};
    json connection = {{"id", c.id},
                           {"scheme", c.scheme},
                           {"host", c.host},
                           {"port", number(c.port)},
                           {"remote_ip", text(c.remote_ip)},
                           {"remote_port", number(c.remote_port)},
                           {"local_ip", text(c.local_ip)},
                           {"local_port", number(c.local_port)},
                           {"family", number(c.family)},
                           {"attempts", attempts},
                           {"tls", tls},
                           {"requests", c.requests},
                           {"proxy", text(c.proxy)},
                           {"retry_reason", text(c.retry_reason)},
                           // How it ended, as connections.closed_ms, closed_by, close_reason.
                           {"closed_ms", c.closed ? json(c.closed->at_ms) : json(nullptr)},
                           {"closed_by", c.closed ? json(closed_by_name(c.closed->by)) : json(nullptr)},
                           {"close_reason", c.closed ? json(close_reason_name(c.closed->reason)) : json(nullptr)}};
    add_tls_json(c, connection);
    connections.push_back(connection);
  }
  json lookups = json::array();
  for (const auto& d : run.dns_lookups) {
    json answers = json::array();
    for (const auto& a : d.answers) answers.push_back({{"type", a.type}, {"name", a.name}, {"value", a.value}, {"ttl", a.ttl}});
    json queries = json::array();
    for (const auto& q : d.queries) {
      json attempts = json::array();
      for (const auto& a : q.attempts)
        attempts.push_back({{"server", a.server},
                            {"start_ms", a.start_ms},
                            {"end_ms", a.end_ms ? json(*a.end_ms) : json(nullptr)},
                            {"ms", a.end_ms ? json(Span{a.start_ms, *a.end_ms}.duration_ms()) : json(nullptr)},
                            {"outcome", text(a.outcome)}});
      queries.push_back({{"type", q.type}, {"outcome", q.outcome}, {"ares_status", text(q.ares_status)},
                         {"server", text(q.server)}, {"span", span(q.span)}, {"attempts", attempts}});
    }
    lookups.push_back({{"id", d.id}, {"host", d.host}, {"source", d.source}, {"servers", d.servers},
                       {"outcome", text(d.outcome)}, {"ares_status", text(d.ares_status)}, {"span", span(d.span)},
                       {"queries", queries}, {"answers", answers}, {"error", failure(d.failure)},
                       {"steps", walk_json(d)}});
  }
  // The run row's counts, named as its columns: NULL there (and here) until the run has
  // finished.
  const bool finished = run.outcome != Outcome::kRunning;
  const Run::Figures f = run.figures();
  auto count = [&](int64_t v) { return finished ? json(v) : json(nullptr); };
  json j = {{"run_id", run.id},
            {"started_at", run.started_at},
            {"url", run.url},
            {"final_url", text(run.final_url)},
            {"final_status", run.final_status ? json(*run.final_status) : json(nullptr)},
            {"outcome", outcome_name(run.outcome)},
            {"error", failure(run.failure)},
            {"total_ms", run.total_ms ? json(*run.total_ms) : json(nullptr)},
            {"label", text(run.label)},
            {"source", run.source},
            {"producer", text(run.producer)},
            {"proxy", text(run.proxy)},
            // Its place in a run group, as the runs columns: null for a run made alone.
            {"group_id", run.group_id ? json(*run.group_id) : json(nullptr)},
            {"view", run.view ? json(run_view_name(*run.view)) : json(nullptr)},
            {"run_number", run.run_number ? json(*run.run_number) : json(nullptr)},
            {"request_count", run.requests.size()},
            {"redirect_count", std::count_if(run.requests.begin(), run.requests.end(),
                                             [](const Request& r) { return r.redirect_from.has_value(); })},
            {"document_ms", run.document_ms ? json(*run.document_ms) : json(nullptr)},
            {"load_ms", run.load_ms ? json(*run.load_ms) : json(nullptr)},
            // Why a page has one row: its document was not HTML (null when it was parsed).
            {"document_not_parsed", text(document_not_parsed_note(run))},
            {"failed_count", count(f.failed)},
            {"transfer_bytes", count(f.transfer_bytes)},
            {"decoded_bytes", count(f.decoded_bytes)},
            {"warnings", run.warnings},
            {"tool_version", run.tool_version},
            {"library_versions", run.library_versions},
            {"requests", requests},
            {"connections", connections},
            {"dns_lookups", lookups}};
  // Invalid UTF-8 from a server must not make the JSON invalid.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

int output_width(int fd) {
  if (!isatty(fd)) return kDefaultWidth;
  winsize ws{};
  if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  if (const char* columns = std::getenv("COLUMNS"); columns && std::atoi(columns) > 0) return std::atoi(columns);
  return kDefaultWidth;
}

}  // namespace pageload::cli
