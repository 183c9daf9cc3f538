#include "cli/write_out.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include <openssl/x509_vfy.h>

#include "transfer/tunnel_refusal.h"

namespace pageload::cli {

std::vector<const Request*> document_chain(const Run& run) {
  std::vector<const Request*> chain;
  if (run.requests.empty()) return chain;
  const Request* hop = &run.requests.front();
  while (hop && chain.size() <= run.requests.size()) {
    chain.push_back(hop);
    const Request* next = nullptr;
    for (const Request& r : run.requests)
      if (r.redirect_from == hop->seq && r.resource_type == ResourceType::kDocument) next = &r;
    hop = next;
  }
  return chain;
}

namespace {

// What a getter sees: the run, the chain, the hop it is about.
struct Subject {
  const Run& run;
  const std::vector<const Request*>& chain;
  const Request* hop;  // nullptr: the run has no request
  bool one_hop;        // %{hop.N.VAR}: the hop's own figure, never the chain's
};

// A value as curl prints it: a number, an HTTP status (three digits: 000 when there was
// none), a time in seconds, or text.
struct Value {
  enum class Kind { kText, kInteger, kStatus, kSeconds } kind = Kind::kText;
  std::string text;
  long long integer = 0;
  double seconds = 0;
  bool null = false;  // text curl has none of: printed empty, null in %{json}
};

Value text(std::string s) { return Value{Value::Kind::kText, std::move(s), 0, 0}; }
// Text curl 7.88 holds as a NULL pointer when there is none (no error, no redirect, no
// Content-Type): %{json} has null for it, as curl's.
Value text_or_null(std::string s) {
  Value v = text(std::move(s));
  v.null = v.text.empty();
  return v;
}
Value integer(long long n) { return Value{Value::Kind::kInteger, {}, n, 0}; }
Value status_code(long long n) { return Value{Value::Kind::kStatus, {}, n, 0}; }
// Whole microseconds, as measured: no 0.025896000000000002 in %{json}.
Value seconds_from_ms(double ms) {
  return Value{Value::Kind::kSeconds, {}, 0, std::round(std::max(0.0, ms) * 1000.0) / 1e6};
}

std::optional<double> phase_end(const Request& r, Phase p) {
  const PhaseRecord* rec = r.phase(p);
  return rec ? std::optional<double>(rec->span.end_ms) : std::nullopt;
}
std::optional<double> phase_start(const Request& r, Phase p) {
  const PhaseRecord* rec = r.phase(p);
  return rec ? std::optional<double>(rec->span.start_ms) : std::nullopt;
}

// The hop got past phase `p`: it did not fail in it or before it.
bool reached(const Request& r, Phase p) {
  return !r.error_phase || static_cast<int>(*r.error_phase) > static_cast<int>(p);
}

// The hop's boundaries, each falling back on the one before when its phase is absent; 0
// for one the hop never reached (it failed before), as curl's.
double t_namelookup(const Request& r) {
  return reached(r, Phase::kDns) ? phase_end(r, Phase::kDns).value_or(r.span.start_ms) : 0;
}
double t_connect(const Request& r) {
  return reached(r, Phase::kConnect) ? phase_end(r, Phase::kConnect).value_or(t_namelookup(r)) : 0;
}
double t_pretransfer(const Request& r) {
  if (!reached(r, Phase::kTls)) return 0;
  return phase_start(r, Phase::kSend).value_or(phase_end(r, Phase::kTls).value_or(t_connect(r)));
}
double t_starttransfer(const Request& r) {
  return reached(r, Phase::kWait) ? phase_end(r, Phase::kWait).value_or(t_pretransfer(r)) : 0;
}

// The hop whose response http_code names: the hop's own, or, when the chain's last hop got
// none (it failed), the last response of the chain, as curl -L prints the 302 it followed
// to a host that refused.
const Request* answered(const Subject& s) {
  if (s.one_hop || !s.hop || s.hop->status) return s.hop;
  for (auto it = s.chain.rbegin(); it != s.chain.rend(); ++it)
    if ((*it)->status) return *it;
  return s.hop;
}
long long http_code(const Subject& s) {
  const Request* r = answered(s);
  return r && r->status ? *r->status : 0;
}

const Connection* connection_of(const Request* hop, const Subject& s) {
  if (!hop || !hop->connection) return nullptr;
  const auto i = static_cast<std::size_t>(*hop->connection);
  return i < s.run.connections.size() ? &s.run.connections[i] : nullptr;
}
const Connection* connection_of(const Subject& s) { return connection_of(s.hop, s); }

// The hop whose connection remote_* and local_* name: as curl's, the last one that
// connected (a redirect to a host that refused: the hop before; one whose TLS failed: its
// own).
const Request* connected(const Subject& s) {
  if (s.one_hop || !s.hop) return s.hop;
  for (auto it = s.chain.rbegin(); it != s.chain.rend(); ++it)
    if ((*it)->connection && reached(**it, Phase::kConnect)) return *it;
  return s.hop;
}

using Getter = std::function<Value(const Subject&)>;
struct Variable {
  std::string_view name;
  Getter get;
};

// The one table (curl's tool_writeout.c): every variable -w knows, in the order %{json}
// prints them.
const std::vector<Variable>& variables() {
  static const std::vector<Variable> table = {
      {"content_type", [](const Subject& s) { return text_or_null(answered(s) ? answered(s)->content_type : ""); }},
      {"errormsg", [](const Subject& s) { return text_or_null(s.run.failure ? s.run.failure->message : ""); }},
      {"exitcode", [](const Subject& s) { return integer(s.run.exit_status()); }},
      {"http_code", [](const Subject& s) { return status_code(http_code(s)); }},
      {"http_connect",
       [](const Subject& s) {
         // The proxy's answer to the hop's CONNECT: the status it refused the tunnel with
         // (407: it wants credentials), 200 for a tunnel made (pageload keeps no other
         // 2xx); 000 with no tunnel asked for, as curl.
         if (!s.hop) return status_code(0);
         if (s.hop->failure)
           if (auto refused = transfer::tunnel_refused_status(s.hop->failure->message)) return status_code(*refused);
         // A hop that reused a tunnelled connection made no CONNECT of its own: the answer is
         // the one its connection was opened with, as curl -L prints after a redirect.
         const Request* opener = s.hop;
         if (!s.hop->phase(Phase::kTunnel) && s.hop->connection)
           for (const Request& r : s.run.requests)
             if (r.connection == s.hop->connection && r.phase(Phase::kTunnel)) {
               opener = &r;
               break;
             }
         const PhaseRecord* tunnel = opener->phase(Phase::kTunnel);
         return status_code(tunnel && tunnel->ok() ? 200 : 0);
       }},
      {"http_version",
       [](const Subject& s) {
         std::string v = answered(s) ? answered(s)->http_version : "";
         if (v.rfind("HTTP/", 0) == 0) v.erase(0, 5);
         return text(v.empty() ? "0" : v);
       }},
      {"method", [](const Subject& s) { return text(s.hop ? s.hop->method : ""); }},
      {"num_connects",
       [](const Subject& s) {
         long long n = 0;
         // New connections that connected (curl counts none for a refused connect).
         for (const Request* r : s.chain) n += r->connection && !r->reused && reached(*r, Phase::kConnect) ? 1 : 0;
         return integer(n);
       }},
      {"num_redirects", [](const Subject& s) { return integer(s.chain.empty() ? 0 : static_cast<long long>(s.chain.size() - 1)); }},
      {"num_requests", [](const Subject& s) { return integer(static_cast<long long>(s.run.requests.size())); }},
      {"redirect_url", [](const Subject& s) { return text_or_null(s.hop ? s.hop->redirect_url : ""); }},
      {"response_code", [](const Subject& s) { return status_code(http_code(s)); }},
      {"remote_ip", [](const Subject& s) { const Connection* c = connection_of(connected(s), s); return text(c ? c->remote_ip : ""); }},
      {"remote_port", [](const Subject& s) { const Connection* c = connection_of(connected(s), s); return integer(c ? c->remote_port : 0); }},
      {"local_ip", [](const Subject& s) { const Connection* c = connection_of(connected(s), s); return text(c ? c->local_ip : ""); }},
      {"local_port", [](const Subject& s) { const Connection* c = connection_of(connected(s), s); return integer(c ? c->local_port : 0); }},
      {"scheme",
       [](const Subject& s) {
         // Upper case, as curl 7.88 writes it (the name of its protocol handler: HTTPS);
         // curl 8 writes it in lower case.
         std::string scheme = s.hop ? s.hop->scheme : "";
         std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::toupper(c); });
         return text(scheme);
       }},
      {"size_download", [](const Subject& s) { return integer(s.hop ? s.hop->body_bytes.value_or(0) : 0); }},
      {"size_header",
       [](const Subject& s) {
         // curl -L adds up every hop's header bytes (a hop's own count already holds the
         // proxy's answer to its CONNECT, as curl's); size_download, as curl's, is the final
         // hop's alone. %{hop.N.size_header} is hop N's own.
         if (s.one_hop || !s.hop) return integer(s.hop ? s.hop->header_bytes.value_or(0) : 0);
         long long sum = 0;
         for (const Request* r : s.chain) sum += r->header_bytes.value_or(0);
         return integer(sum);
       }},
      {"ssl_verify_result",
       [](const Subject& s) {
         // curl's: 0 when the certificate verified (or no TLS), else OpenSSL's X509 code
         // (1 when the check failed without one, the host name for instance).
         // OpenSSL's host name and IP address mismatches (62, 64) are 1 too: curl 7.88 checks
         // the name itself.
         const Connection* c = connection_of(s);
         if (!c || !c->tls || c->tls->verified) return integer(0);
         const long code = c->tls->verify_result;
         return integer(code == 0 || code == X509_V_ERR_HOSTNAME_MISMATCH || code == X509_V_ERR_IP_ADDRESS_MISMATCH ? 1 : code);
       }},
      {"time_appconnect",
       [](const Subject& s) {
         // 0 without TLS, as curl says; a reused TLS connection's is the boundary before.
         if (!s.hop || s.hop->scheme != "https" || !reached(*s.hop, Phase::kTls)) return seconds_from_ms(0);
         return seconds_from_ms(phase_end(*s.hop, Phase::kTls).value_or(t_connect(*s.hop)));
       }},
      {"time_connect", [](const Subject& s) { return seconds_from_ms(s.hop ? t_connect(*s.hop) : 0); }},
      {"time_document", [](const Subject& s) { return seconds_from_ms(s.run.document_ms.value_or(0)); }},
      {"time_namelookup", [](const Subject& s) { return seconds_from_ms(s.hop ? t_namelookup(*s.hop) : 0); }},
      {"time_page", [](const Subject& s) { return seconds_from_ms(s.run.load_ms.value_or(s.run.total_ms.value_or(0))); }},
      {"time_pretransfer", [](const Subject& s) { return seconds_from_ms(s.hop ? t_pretransfer(*s.hop) : 0); }},
      {"time_redirect",
       [](const Subject& s) {
         return seconds_from_ms(s.chain.size() > 1 && s.hop ? s.chain.back()->span.start_ms : 0);
       }},
      {"time_starttransfer", [](const Subject& s) { return seconds_from_ms(s.hop ? t_starttransfer(*s.hop) : 0); }},
      {"time_total", [](const Subject& s) { return seconds_from_ms(s.hop ? s.hop->span.end_ms : 0); }},
      {"url", [](const Subject& s) { return text(s.run.url); }},
      {"url_effective", [](const Subject& s) { return text(s.hop ? s.hop->url : s.run.url); }},
  };
  return table;
}

// curl's variables (7.88 and 8.x) pageload has no figure for: refused by name, apart from
// a typo.
bool is_curl_variable(std::string_view name) {
  static constexpr std::string_view kCurl[] = {
      "certs", "conn_id", "filename_effective", "ftp_entry_path", "header_json", "num_certs", "num_headers",
      "onerror", "proxy_ssl_verify_result", "proxy_used", "referer", "size_request", "size_upload",
      "speed_download", "speed_upload", "stderr", "stdout", "urlnum", "xfer_id"};
  if (name.rfind("url.", 0) == 0 || name.rfind("urle.", 0) == 0) return true;  // curl 8.1's URL parts
  return std::find(std::begin(kCurl), std::end(kCurl), name) != std::end(kCurl);
}

const Variable* find_variable(std::string_view name) {
  for (const Variable& v : variables())
    if (v.name == name) return &v;
  return nullptr;
}

std::string print(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kInteger:
      return std::to_string(v.integer);
    case Value::Kind::kStatus: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%03lld", v.integer);
      return buf;
    }
    case Value::Kind::kSeconds: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.6f", v.seconds);
      return buf;
    }
    case Value::Kind::kText:
      break;
  }
  return v.text;
}

nlohmann::json to_json(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kInteger:
    case Value::Kind::kStatus:
      return v.integer;
    case Value::Kind::kSeconds:
      return v.seconds;
    case Value::Kind::kText:
      break;
  }
  if (v.null) return nullptr;
  return v.text;
}

// One %{...} name resolved: the variable, the hop it is about, or a header's name.
struct Resolved {
  const Variable* variable = nullptr;
  std::optional<long> hop;       // hop.N. prefix (negative: from the end)
  std::optional<std::string> header;  // header{NAME}
  bool json = false;
};

std::optional<Resolved> resolve(std::string_view name) {
  Resolved r;
  if (name == "json") {
    r.json = true;
    return r;
  }
  if (name.rfind("hop.", 0) == 0) {
    name.remove_prefix(4);
    const auto dot = name.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    long n = 0;
    const char* first = name.data() + (name[0] == '-' ? 1 : 0);
    auto [end, ec] = std::from_chars(first, name.data() + dot, n);
    if (ec != std::errc() || end != name.data() + dot || first == name.data() + dot) return std::nullopt;
    r.hop = name[0] == '-' ? -n : n;
    name.remove_prefix(dot + 1);
  }
  if (name.rfind("header{", 0) == 0 && name.back() == '}') {
    r.header = std::string(name.substr(7, name.size() - 8));
    return r;
  }
  r.variable = find_variable(name);
  if (!r.variable) return std::nullopt;
  return r;
}

// Walks the format: calls `literal` for text and `variable` for each %{name}; the
// error of the first thing it cannot read.
Status walk(const std::string& format, const std::function<void(std::string_view)>& literal,
            const std::function<void(const Resolved&)>& variable) {
  std::string pending;
  for (std::size_t i = 0; i < format.size(); ++i) {
    const char c = format[i];
    if (c == '\\' && i + 1 < format.size()) {
      // As curl 7.88's writeout: \n, \r and \t; any other pair, \\ too, is written as
      // it is (both characters), and neither starts anything.
      const char e = format[i + 1];
      if (e == 'n' || e == 'r' || e == 't') {
        pending += e == 'n' ? '\n' : e == 'r' ? '\r' : '\t';
      } else {
        pending += c;
        pending += e;
      }
      ++i;
      continue;
    }
    if (c == '%' && i + 1 < format.size() && format[i + 1] == '%') {
      pending += '%';
      ++i;
      continue;
    }
    if (c == '%' && format.compare(i + 1, 7, "header{") == 0) {
      // curl's %header{NAME} (7.84).
      const std::size_t close = format.find('}', i + 8);
      if (close == std::string::npos)
        return Status(Code::kUsage, "-w: '%header{' without its '}' in '" + format + "'");
      Resolved r;
      r.header = format.substr(i + 8, close - i - 8);
      literal(pending);
      pending.clear();
      variable(r);
      i = close;
      continue;
    }
    if (c == '%' && i + 1 < format.size() && format[i + 1] == '{') {
      // header{NAME} holds a brace of its own.
      std::size_t close = format.find('}', i + 2);
      if (close != std::string::npos && format.find('{', i + 2) < close) close = format.find('}', close + 1);
      if (close == std::string::npos)
        return Status(Code::kUsage, "-w: '%{' without its '}' in '" + format + "'");
      const std::string name = format.substr(i + 2, close - i - 2);
      auto r = resolve(name);
      if (!r && is_curl_variable(name))
        return Status(Code::kUsage, "-w: curl's %{" + name + "} is not supported by pageload (see README: -w/--write-out)");
      if (!r) return Status(Code::kUsage, "-w: unknown variable %{" + name + "} (see README: -w/--write-out)");
      literal(pending);
      pending.clear();
      variable(*r);
      i = close;
      continue;
    }
    pending += c;
  }
  literal(pending);
  return Status::Ok();
}

std::string header_value(const Request* hop, const std::string& name) {
  if (!hop) return "";
  std::string out;
  for (const auto& [n, v] : hop->response_headers) {
    if (n.size() != name.size() ||
        !std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
      continue;
    out += (out.empty() ? "" : ", ") + v;  // curl joins repeated headers with ", "
  }
  return out;
}

}  // namespace

Status check_write_out(const std::string& format) {
  return walk(format, [](std::string_view) {}, [](const Resolved&) {});
}

std::string write_out(const std::string& format, const Run& run) {
  const std::vector<const Request*> chain = document_chain(run);
  std::string out;
  (void)walk(
      format, [&](std::string_view s) { out += s; },
      [&](const Resolved& r) {
        const Request* hop = chain.empty() ? nullptr : chain.back();
        if (r.hop) {
          const long n = *r.hop < 0 ? static_cast<long>(chain.size()) + *r.hop : *r.hop;
          hop = n >= 0 && n < static_cast<long>(chain.size()) ? chain[static_cast<std::size_t>(n)] : nullptr;
        }
        const Subject subject{run, chain, hop, r.hop.has_value()};
        if (r.json) {
          nlohmann::json j = nlohmann::json::object();
          for (const Variable& v : variables()) j[std::string(v.name)] = to_json(v.get(subject));
          out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        } else if (r.header) {
          out += header_value(hop, *r.header);
        } else {
          out += print(r.variable->get(subject));
        }
      });
  return out;
}

}  // namespace pageload::cli
