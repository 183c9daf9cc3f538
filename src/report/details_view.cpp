// The detail panes of one request row: timings of absent phases, sizes, what the page
// made of it (type, initiator chain, priority), headers and DNS lookup (the connection is
// connections_view.cpp's). Part of view.h.
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <string>

#include "core/redact.h"
#include "report/format.h"
#include "core/http_status.h"
#include "report/view.h"

namespace pageload::report {

namespace {

Data headers_view(const std::vector<Header>& headers) {
  Data out = list();
  for (const auto& [name, value] : headers) {
    Data h = pair_view(name, value);
    put(h, "redacted", value.find(kRedacted) != std::string::npos);
    append(out, std::move(h));
  }
  return out;
}

// A header at least this long that an earlier request sent (or whose response carried)
// with the very same value is named, not repeated: "user-agent, accept: as #1". The
// User-Agent, Accept and Referer of every image are the same; on a 35-request page that
// was a quarter of each row.
constexpr std::size_t kLongHeaderValue = 16;

// `r`'s headers `list`, leaving out the long ones an earlier request had the same
// (`first`: each header's earliest seq); those go into `same`, grouped by that request.
Data headers_once_view(const std::vector<Header>& list_in, int seq, const std::map<Header, int>& first,
                       const std::map<int, const std::vector<Header>*>& lists, Data& same) {
  Data out = list();
  std::vector<std::pair<int, std::string>> repeats;  // earliest seq, names
  std::vector<const Header*> repeated;
  for (const auto& h : list_in) {
    const auto& [name, value] = h;
    const auto earlier = value.size() >= kLongHeaderValue && value.find(kRedacted) == std::string::npos
                             ? first.find(h)
                             : first.end();
    if (earlier == first.end() || earlier->second >= seq) {
      Data d = pair_view(name, value);
      put(d, "redacted", value.find(kRedacted) != std::string::npos);
      append(out, std::move(d));
      continue;
    }
    repeated.push_back(&h);
    auto it = std::find_if(repeats.begin(), repeats.end(), [&](const auto& e) { return e.first == earlier->second; });
    if (it == repeats.end()) repeats.emplace_back(earlier->second, clean_text(name));
    else it->second += ", " + clean_text(name);
  }
  // "User-Agent as #0 · Accept as #8 · Referer as #1" is "… as #8" when #8 had all three.
  if (repeats.size() > 1) {
    for (const auto& entry : lists) {  // not a structured binding: clang 14 cannot capture one
      if (entry.first >= seq) break;
      const std::vector<Header>& headers = *entry.second;
      const bool all = std::all_of(repeated.begin(), repeated.end(), [&headers](const Header* h) {
        return std::find(headers.begin(), headers.end(), *h) != headers.end();
      });
      if (!all) continue;
      std::string names;
      for (const Header* h : repeated) names += (names.empty() ? "" : ", ") + clean_text(h->first);
      repeats.assign(1, {entry.first, names});
      break;
    }
  }
  same = list();
  for (const auto& [at, names] : repeats) {
    Data d;
    put(d, "names", names);
    put(d, "seq", std::to_string(at));
    put(d, "sep", !same.is_empty_list());
    append(same, std::move(d));
  }
  return out;
}

constexpr std::string_view kReused = "reused connection";

// A lookup several requests waited for (each new HTTP/1.1 connection to a host) is shown
// in full under one of them: the first, by seq, whose bar has the DNS phase, else the
// first; the others name it. Null when `r` is that one, or has no lookup.
const Request* lookup_shown_under(const Run& run, const Request& r) {
  if (!r.dns_lookup || *r.dns_lookup < 0 || static_cast<std::size_t>(*r.dns_lookup) >= run.dns_lookups.size())
    return nullptr;
  const Request* under = nullptr;
  auto better = [](const Request& q, const Request* than) {
    if (!than) return true;
    const bool timed = q.phase(Phase::kDns) != nullptr, than_timed = than->phase(Phase::kDns) != nullptr;
    return timed != than_timed ? timed : q.seq < than->seq;
  };
  for (const auto& q : run.requests)
    if (q.dns_lookup == r.dns_lookup && better(q, under)) under = &q;
  return under == &r ? nullptr : under;
}

// Why a phase has no segment, in words a reader can act on.
std::string absent_reason(const Run& run, const Request& r, Phase p) {
  const bool setup = p == Phase::kDns || p == Phase::kConnect || p == Phase::kTunnel || p == Phase::kTls;
  if (r.from_cache) return "answered by the HTTP cache: nothing went on the network";
  if (p == Phase::kBlocked) {
    // A gap under 1 ms is pageload's and curl's own work, not a queue (page_load.cpp's
    // kMinBlockedMs): it is in no phase, so say how long it was.
    const double gap = r.discovered_ms ? r.span.start_ms - *r.discovered_ms : 0;
    if (gap >= 0.005)
      return "not queued: its own work began " + format_ms(gap) + " after it was found (pageload's and curl's own work)";
    return "not queued: its own work began as soon as it was found";
  }
  if (setup && r.reused && r.connection) return std::string(kReused);
  if (r.error_phase && static_cast<int>(p) > static_cast<int>(*r.error_phase))
    return "not reached: the request failed before them";
  if (p == Phase::kTls && r.scheme == "http") return "plain HTTP: no TLS";
  if (p == Phase::kDns && r.dns_lookup &&
      static_cast<std::size_t>(*r.dns_lookup) < run.dns_lookups.size() &&
      run.dns_lookups[*r.dns_lookup].source == "cache")
    return "answered from the run's DNS cache";
  if (p == Phase::kDns && r.dns_lookup && static_cast<std::size_t>(*r.dns_lookup) < run.dns_lookups.size() &&
      run.dns_lookups[*r.dns_lookup].source == "hosts")
    return "the loopback host, answered locally (RFC 6761)";
  if (p == Phase::kDns && lookup_shown_under(run, r))
    return clean_text(run.dns_lookups[static_cast<std::size_t>(*r.dns_lookup)].host) + "'s lookup, shown under";
  return "not recorded";
}

// The phases without a segment, grouped by why: "DNS lookup, TCP connect, TLS
// handshake: reused connection #0" is one line, not three.
Data missing_view(const Run& run, const Request& r) {
  std::vector<std::pair<std::string, std::string>> groups;  // why, labels
  // A tunnel is a phase only of an https request through a proxy: elsewhere its absence
  // says nothing.
  const bool proxied = r.scheme == "https" && r.connection && *r.connection >= 0 &&
                       static_cast<std::size_t>(*r.connection) < run.connections.size() &&
                       !run.connections[static_cast<std::size_t>(*r.connection)].proxy.empty();
  for (const auto& info : kPhases) {
    if (r.phase(info.phase)) continue;
    if (info.phase == Phase::kTunnel && !proxied) continue;
    const std::string why = absent_reason(run, r, info.phase);
    if (!groups.empty() && groups.back().first == why)
      groups.back().second += ", " + std::string(info.label);
    else
      groups.emplace_back(why, std::string(info.label));
  }
  Data out = list();
  for (const auto& [why, labels] : groups) {
    Data m;
    // A reused connection explains every set-up phase at once: named once, not phase by phase.
    put(m, "labels", why == kReused ? std::string("No set-up") : labels);
    put(m, "why", why);
    // A reused connection is named and linked where it explains the missing phases.
    put(m, "conn", why == kReused ? request_connection_view(run, r) : Data{false});
    put(m, "dns_seen", false);
    if (const Request* under = lookup_shown_under(run, r); under && labels == phase_info(Phase::kDns).label) {
      Data seen;
      put(seen, "seq", std::to_string(under->seq));
      put(seen, "duration", format_ms(run.dns_lookups[static_cast<std::size_t>(*r.dns_lookup)].span.duration_ms()));
      put(m, "dns_seen", std::move(seen));
    }
    append(out, std::move(m));
  }
  return out;
}

// The sizes line: "headers 143 B · body on the wire 22 B", the decoded size only when it
// differs. Empty when the request got no response at all, so a failed hop shows no stray
// placeholder. Protocol and content type are in the Response pane.
Data sizes_view(const Request& r) {
  Data out = list();
  auto add = [&out](std::string_view name, std::string_view value) {
    Data d;
    put(d, "name", text(name));
    put(d, "value", optional_text(value));
    put(d, "sep", !out.is_empty_list());
    append(out, std::move(d));
  };
  if (r.header_bytes) add("headers", format_bytes(*r.header_bytes));
  if (r.body_bytes) add("body on the wire", format_bytes(*r.body_bytes));
  if (r.body_decoded && r.body_decoded != r.body_bytes)
    add("decoded", format_bytes(*r.body_decoded));
  return out;
}

std::string failure_text(const std::optional<Failure>& f) {
  if (!f) return "";
  std::string out{code_name(f->code)};
  if (!f->message.empty()) out += ": " + f->message;
  return out;
}

Data dns_view(const DnsLookup& l) {
  Data d;
  put(d, "host", text(l.host));
  // Only the servers that were sent something: a cache hit copies the original lookup's
  // configured list but asked none, and the first server's answer leaves the rest unasked.
  std::string servers;
  if (l.source != "trace")
    for (const auto& s : l.asked_servers()) servers += (servers.empty() ? "" : ", ") + s;
  else  // the roots the walk asked; its steps name every server after them
    for (const auto& root : l.servers)
      if (const auto asked = l.asked_servers(); std::find(asked.begin(), asked.end(), root) != asked.end())
        servers += (servers.empty() ? "" : ", ") + root;
  const bool asked = l.source != "cache" && l.source != "hosts";
  put(d, "source_text", l.source == "cache"   ? "from the run's cache, no query sent"
                       : l.source == "hosts" ? "the loopback host (localhost), answered locally, no query sent"
                       : l.source == "trace" ? "walked from the root servers"
                       : servers.empty()     ? "asked the DNS servers"
                                             : "asked");
  put(d, "outcome", text(l.outcome.empty() ? "—" : l.outcome));
  put(d, "duration", format_ms(l.span.duration_ms()));
  put(d, "servers", asked ? optional_text(servers) : Data{false});
  // A TTL is what the server said; the cache counts it down.
  put(d, "ttl_note", l.source == "cache" ? "TTLs left in the cache" : "TTLs as answered");
  Data queries = list();
  Data tries = list();
  bool retried = false;  // some message was not its query's answer: show every try
  for (const auto& q : l.queries) {
    Data e;
    put(e, "type", text(q.type));
    put(e, "outcome", text(q.outcome));
    put(e, "status", text(q.ares_status));
    put(e, "server", optional_text(q.server));
    put(e, "duration", format_ms(q.span.duration_ms()));
    append(queries, std::move(e));
    retried |= q.attempts.size() > 1 || (q.attempts.size() == 1 && q.server.empty());
    for (const auto& a : q.attempts) {
      Data t;
      put(t, "type", text(q.type));
      put(t, "server", text(a.server));
      put(t, "sent", format_ms(a.start_ms));
      put(t, "result", text(a.end_ms ? a.outcome : "no reply before another server's answer"));
      put(t, "duration", a.end_ms ? format_ms(*a.end_ms - a.start_ms) : "—");
      put(t, "no_reply", !a.end_ms || a.outcome == "TIMEOUT" || a.outcome == "UNREACHABLE" || a.outcome == "ERROR");
      append(tries, std::move(t));
    }
  }
  put(d, "has_queries", !l.queries.empty());
  put(d, "queries", std::move(queries));
  put(d, "has_tries", retried);
  put(d, "tries", std::move(tries));
  Data answers = list();
  for (const auto& a : l.answers) {
    Data e;
    put(e, "type", text(a.type));
    put(e, "name", text(a.name));
    put(e, "value", text(a.value));
    put(e, "ttl", std::to_string(a.ttl));
    put(e, "cname", a.type == "CNAME");
    append(answers, std::move(e));
  }
  put(d, "has_answers", !l.answers.empty());
  put(d, "answers", std::move(answers));
  put(d, "error", optional_text(failure_text(l.failure)));
  put(d, "walk", walk_view(l));
  return d;
}

// What the page made of the request: its type, who asked for it and how, the chain of
// initiators behind it (each linked to its row), when it was found, its priority.
Data page_pane(const Row& row, const Request& r) {
  Data fields = list();
  auto add = [&fields](std::string_view name, std::string_view value) { append(fields, pair_view(name, value)); };
  // The type is the row's Type column (shown at every width), and what the server said
  // it was the Response pane's Content-Type: said here only with a content type the
  // response has no header for.
  const bool typed = std::any_of(r.response_headers.begin(), r.response_headers.end(),
                                 [](const Header& h) { return iequals(h.first, "content-type"); });
  if (!r.content_type.empty() && !typed)
    add("Type", std::string(resource_type_name(r.resource_type)) + ", served as " + r.content_type);
  if (!r.found_by.empty()) add("Found by", r.found_by);
  // Only the first request is the page's own; for another a HAR may not say who asked.
  if (!r.initiator && r.seq != 0) add("Initiator", "not recorded");
  // A request queued from the moment it was found starts its Timing table there.
  const PhaseRecord* queued = r.phase(Phase::kBlocked);
  if (r.discovered_ms && !(queued && std::abs(queued->span.start_ms - *r.discovered_ms) < 0.0005))
    add("Found at", format_ms(*r.discovered_ms));
  add("Priority", row.priority_text);  // the Priority column is hidden below 1100 px
  if (!r.note.empty()) add("Note", r.note);
  Data d;
  put(d, "fields", std::move(fields));
  Data chain = list();
  for (int seq : row.chain) {
    Data link;
    put(link, "seq", std::to_string(seq));
    append(chain, std::move(link));
  }
  // The row's own ←#N names a direct initiator; the line is for a longer chain, or to say
  // the request is on the critical path.
  put(d, "show_chain", row.chain.size() > 1 || (!row.chain.empty() && row.critical));
  put(d, "chain", std::move(chain));
  put(d, "critical", row.critical);
  return d;
}

}  // namespace

FirstHeaders first_headers(const Run& run) {
  FirstHeaders f;
  for (const auto& r : run.requests) {
    for (const auto& h : r.request_headers)
      if (auto [it, added] = f.request.emplace(h, r.seq); !added && r.seq < it->second) it->second = r.seq;
    for (const auto& h : r.response_headers)
      if (auto [it, added] = f.response.emplace(h, r.seq); !added && r.seq < it->second) it->second = r.seq;
    f.request_lists.emplace(r.seq, &r.request_headers);
    f.response_lists.emplace(r.seq, &r.response_headers);
  }
  return f;
}

void add_request_details(const Run& run, const Row& view, const FirstHeaders& headers,
                         const std::map<int, std::size_t>& replacements, Data& row) {
  const Request& r = run.requests[view.request_index];
  put(row, "page", page_pane(view, r));
  Data warnings = list();
  for (const auto& w : r.warnings) append(warnings, text(w));
  put(row, "warnings", std::move(warnings));
  put(row, "missing", missing_view(run, r));
  put(row, "http_version", text(r.http_version.empty() ? "—" : r.http_version));
  Data sizes = sizes_view(r);
  put(row, "has_sizes", !sizes.is_empty_list());
  put(row, "sizes", std::move(sizes));
  Data same_request, same_response;
  put(row, "request_headers", headers_once_view(r.request_headers, r.seq, headers.request, headers.request_lists, same_request));
  put(row, "has_same_request", !same_request.is_empty_list());
  put(row, "same_request", std::move(same_request));
  put(row, "response_headers", headers_once_view(r.response_headers, r.seq, headers.response, headers.response_lists, same_response));
  put(row, "has_same_response", !same_response.is_empty_list());
  put(row, "same_response", std::move(same_response));
  put(row, "has_trailers", !r.response_trailers.empty());
  put(row, "trailers", headers_view(r.response_trailers));
  put(row, "has_status", r.status.has_value());
  // HTTP/2 sends no reason phrase: the standard one, marked "(standard phrase)" (shorter
  // than show's wording, as every row of an HTTP/2 page carries it).
  std::string reason = r.reason;
  if (r.status && reason.empty()) {
    const std::string_view phrase = standard_reason(*r.status);
    if (!phrase.empty() && phrase.front() != '(') reason = std::string(phrase) + " (standard phrase)";
  }
  put(row, "reason", text(reason));
  put(row, "redirect_url", text(r.redirect_url.empty() ? r.location : r.redirect_url));

  // A lookup shown under an earlier request is named in the Timing table's DNS line.
  if (lookup_shown_under(run, r))
    put(row, "dns", false);
  else if (r.dns_lookup && *r.dns_lookup >= 0 &&
      static_cast<std::size_t>(*r.dns_lookup) < run.dns_lookups.size())
  {
    Data dns = dns_view(run.dns_lookups[*r.dns_lookup]);
    // The hop's error banner already says why the lookup failed.
    const auto& f = run.dns_lookups[*r.dns_lookup].failure;
    if (f && r.failure && f->code == r.failure->code && f->message == r.failure->message)
      put(dns, "error", false);
    put(row, "dns", std::move(dns));
  }
  else
    put(row, "dns", false);
  // The connection's facts are in the Connections card, once: the Conn column links to it,
  // and the Timing table names a reused one where it says why there is no set-up.
  const bool has_conn = r.connection && *r.connection >= 0 && static_cast<std::size_t>(*r.connection) < run.connections.size();
  put(row, "conn_index", has_conn ? std::to_string(*r.connection) : std::string());
  // A new connection is named in the sizes line too: the Conn column is hidden on a narrow screen.
  put(row, "opened", has_conn && !r.reused && !r.from_cache);
  // A keep-alive failure: this request paid for a new connection because the server had
  // closed the one before it. Said in the row too, not only in the Connections card.
  put(row, "replaced", false);
  if (const auto it = replacements.find(r.seq); has_conn && it != replacements.end()) {
    Data closed;
    put(closed, "index", std::to_string(it->second));
    put(closed, "id", std::to_string(run.connections[it->second].id));
    put(row, "replaced", std::move(closed));
  }
}

}  // namespace pageload::report
