// The Connections card: every connection of the run once, with its addresses, TLS and
// certificate; and the one line a request's details give about the connection it used,
// linking to that card entry. A connection carrying 500 requests is described once, not
// in each of them. Part of view.h.
#include <string>

#include "core/tls_handshake.h"
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
Data handshake_view(const Connection& c) {
  if (c.tls_steps.empty()) return Data{false};
  Data d;
  d.set("words", text(tls_handshake_words(c)));
  Data steps = list();
  const double first = c.tls_steps.front().at_ms;
  for (const auto& s : c.tls_steps) {
    Data e;
    std::string name = std::string(s.sent() ? "→ " : "← ") + s.message;
    if (s.message == "Alert") name += " " + s.alert + (s.fatal ? " (fatal)" : " (warning)");
    if (s.after_handshake) name += " · after the handshake";
    e.set("name", text(name));
    e.set("at", format_ms(s.at_ms));
    e.set("rel", "+" + format_ms(s.at_ms - first));
    e.set("bytes", format_bytes(s.bytes));
    e.set("cls", s.message == "Alert" && s.fatal ? Data{std::string("err-text")}
                 : s.after_handshake                ? Data{std::string("muted")}
                                                    : Data{false});
    steps.push_back(e);
  }
  d.set("steps", steps);
  return d;
}

// The seqs of the requests that used connection `index`, in order.
std::vector<int> requests_on(const Run& run, std::size_t index) {
  std::vector<int> seqs;
  for (const auto& r : run.requests)
    if (r.connection && static_cast<std::size_t>(*r.connection) == index) seqs.push_back(r.seq);
  return seqs;
}

// The request that opened connection `index` (used it without reusing), if in this run.
const Request* opener_of(const Run& run, std::size_t index) {
  for (const auto& r : run.requests)
    if (r.connection && static_cast<std::size_t>(*r.connection) == index && !r.reused) return &r;
  return nullptr;
}

// The facts of one connection, for its card entry. `earlier` is the first connection
// before it with the same certificate, whose facts are not repeated.
Data facts_view(const Connection& c, const Connection* earlier) {
  Data fields = list();
  std::string local = format_endpoint(c.local_ip, c.local_port);
  if (c.family) local += " · IPv" + std::to_string(c.family);
  fields.push_back(pair_view("Local", local));
  if (!c.proxy.empty()) fields.push_back(pair_view("Proxy", c.proxy + " (from the environment)"));
  if (!c.retry_reason.empty()) fields.push_back(pair_view("Given up", c.retry_reason + "; curl sent the request again"));
  if (!c.tls) {
    fields.push_back(pair_view("TLS", c.tls_steps.empty() ? "none (plain TCP)" : "handshake failed"));
    return fields;
  }
  const TlsInfo& t = *c.tls;
  std::vector<std::string> tls;
  tls.push_back(t.version.empty() ? "handshake failed" : t.version);
  if (!t.cipher.empty()) tls.push_back(t.cipher);
  tls.push_back("ALPN " + (t.alpn.empty() ? std::string("none") : t.alpn));
  fields.push_back(pair_view("TLS", join(tls, " · ")));
  if (earlier) {
    fields.push_back(pair_view("Certificate", "the same as on connection #" +
                                                  std::to_string(earlier->id) + ": " + t.subject));
    return fields;
  }
  fields.push_back(pair_view("Subject", t.subject));
  fields.push_back(pair_view("Issuer", t.issuer));
  if (!t.sans.empty()) fields.push_back(pair_view("SANs", join(t.sans, ", ")));
  fields.push_back(pair_view("Valid", t.not_before + " to " + t.not_after));
  std::string verify = t.verified ? "verified" : "not verified";
  verify += " (" + std::to_string(t.verify_result);
  if (!t.verify_message.empty()) verify += ": " + t.verify_message;
  verify += ")";
  fields.push_back(pair_view("Verify", verify));
  return fields;
}

}  // namespace

std::string format_seq_ranges(const std::vector<int>& seqs) {
  std::string out;
  for (std::size_t i = 0; i < seqs.size();) {
    std::size_t j = i;
    while (j + 1 < seqs.size() && seqs[j + 1] == seqs[j] + 1) ++j;
    if (!out.empty()) out += ", ";
    out += "#" + std::to_string(seqs[i]);
    if (j > i) out += (j == i + 1 ? ", #" : "–#") + std::to_string(seqs[j]);
    i = j + 1;
  }
  return out;
}

Data connections_view(const Run& run) {
  Data out = list();
  // A short run shows its few connections open; a long one lists them closed.
  const bool open = run.connections.size() <= kOpenConnections;
  for (std::size_t i = 0; i < run.connections.size(); ++i) {
    const Connection& c = run.connections[i];
    const Connection* earlier = nullptr;
    if (c.tls)
      for (std::size_t k = 0; k < i && !earlier; ++k)
        if (run.connections[k].tls && same_certificate(*run.connections[k].tls, *c.tls))
          earlier = &run.connections[k];
    Data d;
    d.set("index", std::to_string(i));
    d.set("id", std::to_string(c.id));
    d.set("open", open);
    d.set("origin", text(c.scheme + "://" + c.host + ":" + std::to_string(c.port)));
    d.set("remote", text(format_endpoint(c.remote_ip, c.remote_port)));
    d.set("tls", text(tls_summary(c)));
    const std::vector<int> seqs = requests_on(run, i);
    d.set("requests", seqs.empty() ? std::string("no request")
                                   : (seqs.size() == 1 ? "request " : "requests ") +
                                         format_seq_ranges(seqs));
    d.set("fields", facts_view(c, earlier));
    d.set("handshake", handshake_view(c));
    // One attempt that connected says no more than Remote does.
    const bool tried_more = c.attempts.size() > 1 ||
                            (c.attempts.size() == 1 && !c.attempts[0].error.empty());
    Data attempts = list();
    if (tried_more)
      for (const auto& a : c.attempts) {
        Data e;
        e.set("address", text(format_endpoint(a.address, a.port)));
        e.set("result", text(a.error.empty() ? "connected" : a.error));
        attempts.push_back(e);
      }
    d.set("has_attempts", tried_more);
    d.set("attempts", attempts);
    out.push_back(d);
  }
  return out;
}

Data request_connection_view(const Run& run, const Request& r) {
  if (!r.connection || *r.connection < 0 ||
      static_cast<std::size_t>(*r.connection) >= run.connections.size())
    return Data{false};
  const std::size_t index = static_cast<std::size_t>(*r.connection);
  const Connection& c = run.connections[index];
  Data d;
  d.set("index", std::to_string(index));
  d.set("id", std::to_string(c.id));
  d.set("reused", r.reused);
  std::string how = "opened by this request";
  if (r.reused) {
    const Request* opener = opener_of(run, index);
    how = opener ? "opened by request #" + std::to_string(opener->seq) : "opened before this run";
  }
  d.set("how", how);
  d.set("remote", text(format_endpoint(c.remote_ip, c.remote_port)));
  d.set("tls", text(tls_summary(c)));
  return d;
}

}  // namespace pageload::report
