// The connection view: every connection of the run once, grouped by origin, drawn on the
// time axis (connection_lanes.h) with its facts below: addresses, TLS, certificate, how it
// ended and which side holds TIME_WAIT. And the one line a request's details give about the
// connection it used, linking to that entry. A connection carrying 500 requests is
// described once, not in each of them. Part of view.h.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/page_notes.h"
#include "core/tls_handshake.h"
#include "report/connection_lanes.h"
#include "report/format.h"
#include "report/view.h"

namespace pageload::report {

namespace {

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

bool same_certificate(const TlsInfo& a, const TlsInfo& b) {
  return a.subject == b.subject && a.issuer == b.issuer && a.sans == b.sans &&
         a.not_before == b.not_before && a.not_after == b.not_after &&
         a.verify_result == b.verify_result && a.verify_message == b.verify_message &&
         a.verified == b.verified;
}

// "TLSv1.3 · http/1.1 · 1 round trip", "TLSv1.2 · h2 · resumed, 1 round trip", "TLS
// handshake failed", or "plain TCP".
std::string tls_summary(const Connection& c) {
  if (!c.tls && c.tls_steps.empty()) return "plain TCP";
  if (!c.tls || c.tls->version.empty()) return "TLS handshake failed";
  std::string out = c.tls->version + (c.tls->alpn.empty() ? "" : " · " + c.tls->alpn);
  if (const TlsStep* alert = tls_fatal_alert(c.tls_steps))
    return out + " · failed: alert " + alert->alert + (alert->sent() ? " from the client" : " from the server");
  if (c.tls_round_trips) {
    const int n = *c.tls_round_trips;
    out += std::string(" · ") + (c.tls_resumed.value_or(false) ? "resumed, " : "") + std::to_string(n) +
           (n == 1 ? " round trip" : " round trips");
  }
  return out;
}

// The handshake step by step: each message with its time on the run's clock and from
// the first, and the round trips and resumption in words; false without steps.
// The words of a handshake without its last sentence about the client's own setup time,
// which differs on every connection: what two handshakes of one kind share.
std::string_view shared_words(std::string_view words) {
  constexpr std::string_view kSetup = " The client's own setup";
  return words.substr(0, words.find(kSetup));
}

// The handshake in words (`words`: every connection's tls_handshake_words, by index);
// when an earlier connection's handshake said the same (every resumed connection of a
// host), its first clause and a link to that one, and this one's own setup time: six
// HTTP/1.1 connections repeat half a kilobyte otherwise.
std::string handshake_words(const Run& run, const std::vector<std::string>& words, std::size_t index) {
  const std::string& mine = words[index];
  const std::string_view shared = shared_words(mine);
  for (std::size_t k = 0; k < index; ++k) {
    if (run.connections[k].tls_steps.empty() || shared_words(words[k]) != shared) continue;
    const std::size_t colon = shared.find(':');
    return std::string(shared.substr(0, colon)) + ", as on connection #" + std::to_string(run.connections[k].id) +
           "." + mine.substr(shared.size());
  }
  return mine;
}

// The same messages in the same directions (times and sizes aside).
bool same_messages(const std::vector<TlsStep>& a, const std::vector<TlsStep>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const TlsStep& x, const TlsStep& y) {
    return x.sent() == y.sent() && x.message == y.message && x.alert == y.alert && x.fatal == y.fatal &&
           x.after_handshake == y.after_handshake;
  });
}

Data handshake_view(const Run& run, const std::vector<std::string>& words, std::size_t index) {
  const Connection& c = run.connections[index];
  if (c.tls_steps.empty()) return Data{false};
  Data d;
  const double first = c.tls_steps.front().at_ms;
  // A handshake whose messages an earlier one's table already lists (every resumed
  // connection of a host) gives its own length in words instead of a table of its own:
  // the opening request's bar still draws each of its messages.
  for (std::size_t k = 0; k < index; ++k) {
    if (!same_messages(run.connections[k].tls_steps, c.tls_steps) ||
        shared_words(words[k]) != shared_words(words[index]))
      continue;
    double last = first;
    for (const auto& s : c.tls_steps)
      if (!s.after_handshake) last = s.at_ms;
    std::string said(shared_words(words[index]));
    if (!said.empty() && said.back() == '.') said.pop_back();
    said = said.substr(0, said.find(':'));
    said += ", the " + std::to_string(c.tls_steps.size()) + " messages of #" + std::to_string(run.connections[k].id) +
            "'s table: took " + format_ms(last - first);
    // The client's own setup before its hello (tls time that is not the network).
    if (c.connect && c.tls_steps.front().sent() && first - c.connect->end_ms >= 0.05)
      said += ", after " + format_ms(first - c.connect->end_ms) + " of the client's own setup";
    put(d, "words", text(said + "."));
    put(d, "table", false);
    put(d, "steps", list());
    return d;
  }
  put(d, "words", text(handshake_words(run, words, index)));
  put(d, "table", true);
  Data steps = list();
  for (const auto& s : c.tls_steps) {
    Data e;
    std::string name = std::string(s.sent() ? "→ " : "← ") + s.message;
    if (s.message == "Alert") name += " " + s.alert + (s.fatal ? " (fatal)" : " (warning)");
    if (s.after_handshake) name += " · after the handshake";
    put(e, "name", text(name));
    put(e, "at", format_ms(s.at_ms));
    put(e, "rel", "+" + format_ms(s.at_ms - first));
    put(e, "bytes", format_bytes(s.bytes));
    put(e, "cls", s.message == "Alert" && s.fatal ? Data{std::string("err-text")}
                 : s.after_handshake                ? Data{std::string("muted")}
                                                    : Data{false});
    append(steps, std::move(e));
  }
  put(d, "steps", std::move(steps));
  return d;
}

// The seqs of the requests that used connection `index`, in order.
std::vector<int> requests_on(const Run& run, std::size_t index) {
  std::vector<int> seqs;
  for (const auto& r : run.requests)
    if (r.connection && static_cast<std::size_t>(*r.connection) == index) seqs.push_back(r.seq);
  std::sort(seqs.begin(), seqs.end());
  return seqs;
}

// The request that opened connection `index` (used it without reusing), if in this run.
const Request* opener_of(const Run& run, std::size_t index) {
  for (const auto& r : run.requests)
    if (r.connection && static_cast<std::size_t>(*r.connection) == index && !r.reused) return &r;
  return nullptr;
}

// Why it closed, in words.
std::string close_reason_text(const ConnectionClose& c, const Run& run, std::size_t index) {
  switch (c.reason) {
    case CloseReason::kConnectionClose:
      return "the server answered Connection: close, and the connection closed after that response";
    case CloseReason::kServerClosed:
      return "the server had closed it: its FIN was waiting when curl next looked at the connection, at this "
             "time; the server closed it earlier, when exactly is not recorded";
    case CloseReason::kReset:
      return "the server reset it (RST), found when curl next read or wrote on the connection, at this time; over "
             "TLS a server that closed an idle connection draws a reset from the next request";
    case CloseReason::kEndOfPage: {
      std::string after;
      if (run.failure) {
        // Cut short: closed mid-response when the page's time ran out or it was interrupted,
        // or idle with the pool when pageload stopped.
        std::string cut = "pageload closed it when it stopped the page (" + std::string(code_name(run.failure->code)) + ")";
        for (const auto& r : run.requests)
          if (r.connection && static_cast<std::size_t>(*r.connection) == index && r.failure)
            return cut + ", with request #" + std::to_string(r.seq) + " still on it";
        return cut + ", idle";
      }
      if (run.load_ms) after = ", " + format_ms(std::max(0.0, c.at_ms - *run.load_ms)) + " after the load";
      return "pageload closed it when the page was done" + after;
    }
    case CloseReason::kNoKeepalive:
      return "pageload closed it after its request (--no-keepalive)";
    case CloseReason::kOther:
      break;
  }
  return "curl closed it on its own (after an error on it, or with its cache of idle connections full)";
}

// Which side of the connection holds TCP's TIME_WAIT: the one that closed first. Over
// TLS a close usually ends in a reset instead (seen with `ss -tan` against the lab): a
// side that closes its socket with the other's close_notify unread, or receives one
// after closing, makes the kernel send an RST, which ends TIME_WAIT on both sides.
std::string time_wait_text(const ConnectionClose& c, bool tls) {
  if (c.reason == CloseReason::kReset) return "nobody: a reset ends a connection without TIME_WAIT";
  if (c.by == ClosedBy::kServer) {
    if (!tls) return "the server, which closed first; this machine's port is free at once";
    return "the server, which closed first, unless its TLS close_notify was still unread when curl closed this "
           "end: the kernel then sends a reset, which ends TIME_WAIT on both sides";
  }
  if (!tls) return "this machine, which closed first: its local port stays in TIME_WAIT for 60 s (Linux)";
  return "this machine, which closed first (60 s on Linux), unless the server answered curl's TLS close_notify "
         "with its own after curl had closed the socket, as most servers do: the kernel then answers with a reset "
         "and neither side keeps TIME_WAIT";
}

// Where the run's proxy came from, read from the options it was made with: "-x", or
// "from the environment: https_proxy"; empty when they do not say (an imported HAR).
std::string proxy_source(const Run& run) {
  const nlohmann::json options = nlohmann::json::parse(run.options_json, nullptr, false);
  if (!options.is_object()) return "";
  if (auto p = options.find("proxy"); p != options.end() && p->is_string() && !p->get<std::string>().empty())
    return "-x";
  std::string variables;
  if (auto v = options.find("proxy_variables"); v != options.end() && v->is_array())
    for (const auto& name : *v)
      if (name.is_string()) variables += (variables.empty() ? "" : ", ") + name.get<std::string>();
  return variables.empty() ? "" : "from the environment: " + variables;
}

std::string end_title(const ConnectionClose& c) {
  return std::string(c.by == ClosedBy::kServer ? "found closed by the server" : "closed by pageload") + " · " +
         format_ms(c.at_ms) + " · " + std::string(close_reason_name(c.reason));
}

// A connection's facts as name and value, in the order shown.
using Facts = std::vector<std::pair<std::string, std::string>>;

// The facts of one connection, for its entry. `earlier` is the first connection before
// it with the same certificate, whose facts are not repeated.
Facts connection_facts(const Run& run, const Connection& c, const Connection* earlier) {
  Facts fields;
  fields.emplace_back("Remote", format_endpoint(c.remote_ip, c.remote_port));
  std::string local = format_endpoint(c.local_ip, c.local_port);
  if (c.family) local += " · IPv" + std::to_string(c.family);
  fields.emplace_back("Local", local);
  if (std::string why = connection_purpose_note(run, c); !why.empty()) fields.emplace_back("Kept apart", why);
  if (!c.proxy.empty()) {
    const std::string source = proxy_source(run);
    fields.emplace_back("Proxy", c.proxy + (source.empty() ? "" : " (" + source + ")"));
  }
  if (!c.retry_reason.empty()) fields.emplace_back("Given up", c.retry_reason + "; curl sent the request again");
  if (c.closed) {
    // The server's close is seen only when curl next looks at the socket: "found closed".
    fields.emplace_back(c.closed->by == ClosedBy::kServer ? "Found closed" : "Closed",
                               format_ms(c.closed->at_ms) + ": " +
                                   close_reason_text(*c.closed, run, static_cast<std::size_t>(c.id)));
    fields.emplace_back("TIME_WAIT", time_wait_text(*c.closed, c.tls.has_value()));
  } else {
    fields.emplace_back("Closed", "not by the end of the run: kept open for the batch's later runs");
  }
  if (!c.tls) {
    fields.emplace_back("TLS", c.tls_steps.empty() ? "none (plain TCP)" : "handshake failed");
    return fields;
  }
  const TlsInfo& t = *c.tls;
  std::vector<std::string> tls;
  tls.push_back(t.version.empty() ? "handshake failed" : t.version);
  if (!t.cipher.empty()) tls.push_back(t.cipher);
  tls.push_back("ALPN " + (t.alpn.empty() ? std::string("none") : t.alpn));
  fields.emplace_back("TLS", join(tls, " · "));
  if (earlier) {
    fields.emplace_back("Certificate", "the same as on connection #" +
                                                  std::to_string(earlier->id) + ": " + t.subject);
    return fields;
  }
  fields.emplace_back("Subject", t.subject);
  fields.emplace_back("Issuer", t.issuer);
  if (!t.sans.empty()) fields.emplace_back("SANs", join(t.sans, ", "));
  fields.emplace_back("Valid", t.not_before + " to " + t.not_after);
  std::string verify = t.verified ? "verified" : "not verified";
  verify += " (" + std::to_string(t.verify_result);
  if (!t.verify_message.empty()) verify += ": " + t.verify_message;
  verify += ")";
  fields.emplace_back("Verify", verify);
  return fields;
}

std::string_view label_class(LabelFit fit) {
  return fit == LabelFit::kAlways ? "" : fit == LabelFit::kWide ? " lw" : " ln";
}

Data block_view(const Block& b) {
  Data d;
  put(d, "seq", std::to_string(b.seq));
  put(d, "lane", std::to_string(b.lane));
  put(d, "left", b.left_pct);
  put(d, "width", b.width_pct);
  put(d, "css", std::string(b.tint) + (b.failed ? " failed" : "") + std::string(label_class(b.label)));
  put(d, "label", b.label != LabelFit::kNone);
  return d;
}

// How the server ended the connection, from what was recorded.
std::string keepalive_how(const KeepAliveFailure& f) {
  if (f.found_in_use) return "curl sent a request on it, found it closed and sent the request again";
  switch (f.reason) {
    case CloseReason::kConnectionClose: return "the server answered Connection: close, so it closed after that response";
    case CloseReason::kReset: return "the server reset it (RST)";
    default: return "the server closed it while it was idle";
  }
}

// The setup phases a replacement paid for, in words: "a TCP connect", "DNS, a TCP connect
// and a TLS handshake".
std::string paid_text(const std::vector<Phase>& paid) {
  std::vector<std::string> words;
  for (Phase p : paid)
    words.push_back(p == Phase::kDns ? "a DNS lookup" : p == Phase::kConnect ? "a TCP connect" : "a TLS handshake");
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i)
    out += (i == 0 ? "" : i + 1 == words.size() ? " and " : ", ") + words[i];
  return out;
}

// One keep-alive failure, in words, with the connections and request linked.
Data failure_view(const Run& run, const KeepAliveFailure& f) {
  Data d;
  put(d, "closed", std::to_string(run.connections[f.closed].id));
  put(d, "closed_index", std::to_string(f.closed));
  put(d, "replacement", std::to_string(run.connections[f.replacement].id));
  put(d, "replacement_index", std::to_string(f.replacement));
  put(d, "seq", std::to_string(f.request_seq));
  put(d, "has_seq", f.request_seq >= 0);
  put(d, "title", f.reason == CloseReason::kConnectionClose ? "No keep-alive" : "Keep-alive failure");
  put(d, "how", keepalive_how(f));
  put(d, "idle", format_ms(f.idle_ms));
  put(d, "cost", format_ms(f.cost_ms));
  put(d, "paid", f.paid.empty() ? Data{false} : Data{paid_text(f.paid)});
  return d;
}

// The first connection before `index` with the same certificate, if any.
const Connection* earlier_with_certificate(const Run& run, std::size_t index) {
  const Connection& c = run.connections[index];
  if (!c.tls) return nullptr;
  for (std::size_t k = 0; k < index; ++k)
    if (run.connections[k].tls && same_certificate(*run.connections[k].tls, *c.tls)) return &run.connections[k];
  return nullptr;
}

Data facts_view(const Facts& facts) {
  Data fields = list();
  for (const auto& [name, value] : facts) append(fields, pair_view(name, value));
  return fields;
}

// The facts every one of a group's connections has alike (six HTTP/1.1 connections to one
// host share their remote address, TLS and certificate line, and usually how TIME_WAIT
// ends), shown once above them; none for a group of one.
Facts shared_facts(const std::vector<Facts>& rows) {
  Facts shared;
  if (rows.size() < 2) return shared;
  for (const auto& fact : rows.front()) {
    bool everywhere = true;
    for (std::size_t i = 1; i < rows.size() && everywhere; ++i)
      everywhere = std::find(rows[i].begin(), rows[i].end(), fact) != rows[i].end();
    if (everywhere) shared.push_back(fact);
  }
  return shared;
}

Facts without(const Facts& facts, const Facts& shared) {
  Facts out;
  for (const auto& fact : facts)
    if (std::find(shared.begin(), shared.end(), fact) == shared.end()) out.push_back(fact);
  return out;
}

Data row_view(const Run& run, const ConnectionRow& row, const HostGroup& g, bool open,
              const std::vector<std::string>& words, const Facts& facts) {
  const Connection& c = run.connections[row.index];
  Data d;
  put(d, "index", std::to_string(row.index));
  put(d, "id", std::to_string(c.id));
  put(d, "open", open);
  // The group's heading names its protocol when every connection has the same one.
  put(d, "protocol", row.protocol == g.protocols && !row.protocol.empty() ? Data{false}
                    : Data{row.protocol.empty() ? std::string("—") : text(row.protocol)});
  put(d, "tls", text(tls_summary(c)));
  put(d, "lanes", std::to_string(row.lanes));
  put(d, "lane_px", std::to_string(row.lane_px));
  put(d, "ka_fail", row.keepalive_failure.has_value());
  put(d, "replacement", row.replacement);
  Data setup = list();
  for (const auto& s : row.setup) {
    Data e;
    put(e, "css", std::string(s.css) + (s.failed ? " failed" : ""));
    put(e, "left", s.left_pct);
    put(e, "width", s.width_pct);
    append(setup, std::move(e));
  }
  put(d, "setup", std::move(setup));
  Data blocks = list();
  for (const auto& b : row.blocks) append(blocks, block_view(b));
  put(d, "blocks", std::move(blocks));
  if (row.end) {
    Data e;
    put(e, "left", row.end->left_pct);
    put(e, "by", std::string(closed_by_name(row.end->close.by)));
    put(e, "title", end_title(row.end->close));
    put(d, "end", std::move(e));
  } else {
    put(d, "end", false);
  }
  // Each request number links to its row.
  const std::vector<int> seqs = requests_on(run, row.index);
  put(d, "requests", seqs.empty() ? "no request" : seqs.size() == 1 ? "request" : "requests");
  Data links = list();
  for (const auto& [before, seq] : seq_range_links(seqs)) {
    Data l;
    put(l, "before", before.empty() ? " " : before);  // "requests #0–#3, #5"
    put(l, "seq", std::to_string(seq));
    append(links, std::move(l));
  }
  put(d, "request_links", std::move(links));
  std::string opened = "opened before this run";
  put(d, "opener", false);
  if (const Request* opener = opener_of(run, row.index)) {
    opened = "opened by request";
    Data o;
    put(o, "seq", std::to_string(opener->seq));
    put(d, "opener", std::move(o));
  } else if (!c.retry_reason.empty() || c.connect) {
    opened = "opened for a try curl gave up";
  }
  put(d, "opened", opened);
  put(d, "fields", facts_view(facts));
  put(d, "handshake", handshake_view(run, words, row.index));
  // One attempt that connected says no more than Remote does.
  bool delayed = false;
  for (const auto& a : c.attempts) delayed |= a.after_fallback_delay;
  const bool tried_more = c.attempts.size() > 1 || (c.attempts.size() == 1 && !c.attempts[0].error.empty()) || delayed;
  Data attempts = list();
  if (tried_more)
    for (const auto& a : c.attempts) {
      Data e;
      put(e, "address", text(format_endpoint(a.address, a.port)));
      put(e, "at", a.span ? format_ms(a.span->start_ms) : "-");
      put(e, "took", a.span ? format_ms(a.span->duration_ms()) : "-");
      std::string result = a.error.empty() ? "connected" : a.error;
      if (a.after_fallback_delay)
        result += " (started when curl's " + std::to_string(kHappyEyeballsMs) +
                  " ms happy-eyeballs delay ran out: the wait before it was curl's, not the network's)";
      put(e, "result", text(result));
      append(attempts, std::move(e));
    }
  put(d, "has_attempts", tried_more);
  put(d, "attempts", std::move(attempts));
  Data failures = list();
  if (row.keepalive_failure) append(failures, failure_view(run, g.failures[*row.keepalive_failure]));
  put(d, "failures", std::move(failures));
  return d;
}

}  // namespace

std::vector<std::pair<std::string, int>> seq_range_links(const std::vector<int>& seqs) {
  std::vector<std::pair<std::string, int>> out;
  for (std::size_t i = 0; i < seqs.size();) {
    std::size_t j = i;
    while (j + 1 < seqs.size() && seqs[j + 1] == seqs[j] + 1) ++j;
    out.emplace_back(out.empty() ? "" : ", ", seqs[i]);
    if (j > i) out.emplace_back(j == i + 1 ? ", " : "–", seqs[j]);
    i = j + 1;
  }
  return out;
}


std::map<int, std::size_t> replacements_by_request(const std::vector<HostGroup>& groups) {
  std::map<int, std::size_t> out;
  for (const HostGroup& g : groups)
    for (const KeepAliveFailure& f : g.failures) out.emplace(f.request_seq, f.closed);
  return out;
}

Data connection_groups_view(const Run& run, const std::vector<HostGroup>& groups) {
  // A short redirect chain shows its few connections open; a page (a request some other
  // asked for) or a long chain lists them closed: at a phone's width each open one is a
  // screen or more of facts and TLS messages, and the waterfall is what a page is read by.
  bool page = false;
  for (const auto& r : run.requests) page |= r.initiator.has_value();
  const bool open = !page && run.connections.size() <= kOpenConnections;
  std::vector<std::string> words;
  words.reserve(run.connections.size());
  for (const auto& c : run.connections) words.push_back(tls_handshake_words(c));
  Data out = list();
  for (const HostGroup& g : groups) {
    Data d;
    put(d, "origin", g.origin);
    put(d, "protocols", g.protocols.empty() ? Data{false} : Data{text(g.protocols)});
    put(d, "summary", count_text(g.rows.size(), "connection") + " · " + count_text(g.requests, "request"));
    put(d, "all", g.rows.size() == 2 ? std::string("Both connections") : "All " + std::to_string(g.rows.size()) + " connections");
    std::vector<Facts> facts;
    for (const auto& row : g.rows)
      facts.push_back(connection_facts(run, run.connections[row.index], earlier_with_certificate(run, row.index)));
    const Facts shared = shared_facts(facts);
    put(d, "has_shared", !shared.empty());
    put(d, "shared", facts_view(shared));
    Data rows = list();
    for (std::size_t i = 0; i < g.rows.size(); ++i)
      append(rows, row_view(run, g.rows[i], g, open, words, without(facts[i], shared)));
    put(d, "rows", std::move(rows));
    Data failures = list();
    for (const auto& f : g.failures) append(failures, failure_view(run, f));
    put(d, "failures", std::move(failures));
    append(out, std::move(d));
  }
  return out;
}

Data request_connection_view(const Run& run, const Request& r) {
  if (!r.connection || *r.connection < 0 || static_cast<std::size_t>(*r.connection) >= run.connections.size())
    return Data{false};
  const std::size_t index = static_cast<std::size_t>(*r.connection);
  const Connection& c = run.connections[index];
  Data d;
  put(d, "index", std::to_string(index));
  put(d, "id", std::to_string(c.id));
  put(d, "reused", r.reused);
  std::string how = "opened by this request";
  if (r.reused) {
    const Request* opener = opener_of(run, index);
    how = opener ? "opened by #" + std::to_string(opener->seq) : "opened before this run";
  }
  put(d, "how", how);
  put(d, "remote", text(format_endpoint(c.remote_ip, c.remote_port)));
  put(d, "tls", text(tls_summary(c)));
  return d;
}

}  // namespace pageload::report
