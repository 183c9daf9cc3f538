#include "har/har_fields.h"

#include <cmath>
#include <ctime>
#include <map>

#include "core/ascii.h"

namespace pageload::har {

std::string str(const json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<double> num(const json& j, const char* key) {
  if (!j.is_object()) return std::nullopt;
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  const double v = it->get<double>();
  if (!std::isfinite(v)) return std::nullopt;
  return v;
}

const json& obj(const json& j, const char* key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it != j.end() ? *it : kNull;
}

namespace {

// Chrome's net::ERR_* names (its `_error`, or `response._error`) as pageload's error classes.
Failure failure_from_net_error(const std::string& error) {
  static const std::map<std::string, Code> kCodes{
      {"net::ERR_NAME_NOT_RESOLVED", Code::kDnsNxdomain},   {"net::ERR_NAME_RESOLUTION_FAILED", Code::kDnsError},
      {"net::ERR_CONNECTION_REFUSED", Code::kConnectRefused}, {"net::ERR_CONNECTION_TIMED_OUT", Code::kConnectTimeout},
      {"net::ERR_ADDRESS_UNREACHABLE", Code::kConnectUnreachable}, {"net::ERR_CONNECTION_RESET", Code::kRecvError},
      {"net::ERR_CONNECTION_CLOSED", Code::kRecvError},      {"net::ERR_EMPTY_RESPONSE", Code::kRecvError},
      {"net::ERR_CERT_AUTHORITY_INVALID", Code::kTlsCertUntrusted}, {"net::ERR_CERT_DATE_INVALID", Code::kTlsCertExpired},
      {"net::ERR_CERT_COMMON_NAME_INVALID", Code::kTlsCertHostname}, {"net::ERR_SSL_PROTOCOL_ERROR", Code::kTlsHandshake},
      {"net::ERR_TIMED_OUT", Code::kTimeout},               {"net::ERR_TOO_MANY_REDIRECTS", Code::kTooManyRedirects},
  };
  auto it = kCodes.find(error);
  return Failure{it != kCodes.end() ? it->second : Code::kRecvError,
                 error.empty() ? "no response (the HAR gives no reason)" : "the browser reported " + error};
}

// The phase a browser's error ended, from its class (the browser names none).
Phase phase_of(Code code) {
  switch (code) {
    case Code::kDnsNxdomain: case Code::kDnsError: return Phase::kDns;
    case Code::kConnectRefused: case Code::kConnectTimeout: case Code::kConnectUnreachable: return Phase::kConnect;
    case Code::kTlsCertUntrusted: case Code::kTlsCertExpired: case Code::kTlsCertHostname: case Code::kTlsHandshake:
      return Phase::kTls;
    default: return Phase::kWait;
  }
}

// A class name pageload wrote; an unknown one (another version's, a hand-made file) is no code.
std::optional<Code> known_code(const std::string& name) {
  const Code c = code_from_name(name);
  if (c == Code::kInternal && name != code_name(Code::kInternal)) return std::nullopt;
  return c;
}

std::vector<std::string> strings(const json& list) {
  std::vector<std::string> out;
  if (!list.is_array()) return out;
  for (const auto& s : list)
    if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

std::optional<bool> flag(const json& j, const char* key) {
  const json& v = obj(j, key);
  if (!v.is_boolean()) return std::nullopt;
  return v.get<bool>();
}

// Seconds since the epoch as the ISO-8601 UTC form TlsInfo keeps ("2026-12-01T20:46:07Z").
std::string iso_seconds(double seconds) {
  if (!(seconds > -1e11 && seconds < 1e11)) return {};
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (!gmtime_r(&t, &tm)) return {};
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// DevTools' protocol names ("TLS 1.3", "QUIC") as OpenSSL's ("TLSv1.3"), which pageload stores.
std::string tls_version(const std::string& protocol) {
  if (protocol.rfind("TLS ", 0) == 0) return "TLSv" + protocol.substr(4);
  return protocol;
}

}  // namespace

std::optional<ErrorField> read_error(const json& error) {
  if (error.is_string()) {
    ErrorField out{failure_from_net_error(error.get<std::string>())};
    out.phase = phase_of(out.failure.code);
    return out;
  }
  if (!error.is_object()) return std::nullopt;
  // pageload's own: {phase, class, message}; a class it does not know reads as a browser's.
  auto code = known_code(str(error, "class"));
  if (!code) {
    ErrorField out{failure_from_net_error(str(error, "class"))};
    out.phase = phase_of(out.failure.code);
    return out;
  }
  ErrorField out{Failure{*code, str(error, "message")}};
  // Any phase, queueing (blocked) too: a request cut by --max-time while it waited for a
  // connection failed there (schema version 6 stores it).
  const auto phase = phase_from_name(str(error, "phase"));
  out.phase = phase ? *phase : phase_of(*code);
  return out;
}

std::optional<DnsLookup> read_dns(const json& dns, Span span) {
  if (!dns.is_object() || str(dns, "host").empty()) return std::nullopt;
  DnsLookup l;
  l.host = str(dns, "host");
  // The sources pageload writes; a walk's steps are not exported, so a "trace" reads as "dns".
  if (const std::string s = str(dns, "source"); s == "cache" || s == "hosts") l.source = s;
  l.servers = strings(obj(dns, "servers"));
  if (auto f = num(dns, "family"); f && (*f == 4 || *f == 6)) l.family = static_cast<int>(*f);
  l.span = span;
  l.outcome = str(dns, "outcome");
  l.ares_status = str(dns, "ares_status");
  if (const json& a = obj(dns, "answers"); a.is_array()) {
    for (const auto& answer : a) {
      DnsAnswer out{str(answer, "type"), str(answer, "name"), str(answer, "value")};
      if (auto ttl = num(answer, "ttl"); ttl && *ttl >= 0 && *ttl <= 4294967295.0) out.ttl = static_cast<uint32_t>(*ttl);
      if (!out.type.empty()) l.answers.push_back(std::move(out));
    }
  }
  if (const json& q = obj(dns, "queries"); q.is_array()) {
    for (const auto& query : q) {
      if (!query.is_object()) continue;
      DnsQuery out;
      out.type = str(query, "type");
      out.outcome = str(query, "outcome");
      out.ares_status = str(query, "ares_status");
      out.server = str(query, "server");
      // The queries of a lookup are sent together, at its start.
      const double ms = std::max(0.0, num(query, "ms").value_or(0));
      out.span = Span{span.start_ms, span.start_ms + ms};
      if (const json& tries = obj(query, "tries"); tries.is_array()) {
        for (const auto& t : tries) {
          if (!t.is_object()) continue;
          DnsAttempt a{str(t, "server"), num(t, "start_ms").value_or(span.start_ms), num(t, "end_ms"), str(t, "outcome")};
          out.attempts.push_back(std::move(a));
        }
      }
      l.queries.push_back(std::move(out));
    }
  }
  if (const json& e = obj(dns, "error"); e.is_object())
    if (auto code = known_code(str(e, "class"))) l.failure = Failure{*code, str(e, "message")};
  return l;
}

bool read_tls(const json& tls, Connection& c) {
  if (!tls.is_object() || str(tls, "version").empty()) return false;
  TlsInfo t;
  t.version = str(tls, "version");
  t.cipher = str(tls, "cipher");
  t.alpn = str(tls, "alpn");
  t.subject = str(tls, "subject");
  t.issuer = str(tls, "issuer");
  t.sans = strings(obj(tls, "sans"));
  t.not_before = str(tls, "not_before");
  t.not_after = str(tls, "not_after");
  t.verified = flag(tls, "verified").value_or(false);
  if (auto v = num(tls, "verify_result"); v && std::fabs(*v) < 1e9) t.verify_result = static_cast<long>(*v);
  t.verify_message = str(tls, "verify_message");
  c.tls = std::move(t);
  if (auto v = num(tls, "round_trips"); v && *v >= 0 && *v < 100) c.tls_round_trips = static_cast<int>(*v);
  c.tls_session_offered = flag(tls, "session_offered");
  c.tls_resumed = flag(tls, "resumed");
  return true;
}

bool read_security_details(const json& d, bool answered, Connection& c) {
  if (!d.is_object() || str(d, "protocol").empty()) return false;
  TlsInfo t;
  t.version = tls_version(str(d, "protocol"));
  t.cipher = str(d, "cipher");
  t.subject = str(d, "subjectName");
  t.issuer = str(d, "issuer");
  t.sans = strings(obj(d, "sanList"));
  if (auto v = num(d, "validFrom")) t.not_before = iso_seconds(*v);
  if (auto v = num(d, "validTo")) t.not_after = iso_seconds(*v);
  t.verified = answered;
  t.verify_message = answered ? "accepted by the browser (a HAR records no verify result)"
                              : "not recorded (a HAR records no verify result)";
  c.tls = std::move(t);
  return true;
}

}  // namespace pageload::har
