#include "pageload/result.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/header_removal.h"
#include "core/redact.h"
#include "pageload/options.h"

namespace pageload {

std::vector<std::string> DnsLookup::addresses() const {
  std::vector<std::string> out;
  for (const auto& a : answers)
    if (a.type == "A" || a.type == "AAAA") out.push_back(a.value);
  return out;
}

std::vector<std::string> DnsLookup::asked_servers() const {
  std::vector<std::string> out;
  auto add = [&out](const std::string& server) {
    if (!server.empty() && std::find(out.begin(), out.end(), server) == out.end()) out.push_back(server);
  };
  // In the order sent: the tries of all queries by their start.
  std::vector<const DnsAttempt*> tries;
  for (const auto& q : queries)
    for (const auto& a : q.attempts) tries.push_back(&a);
  std::stable_sort(tries.begin(), tries.end(), [](const DnsAttempt* a, const DnsAttempt* b) { return a->start_ms < b->start_ms; });
  for (const DnsAttempt* a : tries) add(a->server);
  for (const auto& q : queries) add(q.server);  // a reply recorded without its try
  for (const auto& s : steps) add(s.server);
  // A lookup stored before its tries were (schema version 1): its one server configured
  // was the one asked.
  if (out.empty() && source == "dns" && servers.size() == 1 && !queries.empty()) out.push_back(servers.front());
  return out;
}

std::string DnsStep::result_text() const {
  auto join = [](const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
    return out;
  };
  if (kind == "referral") {
    std::size_t glued = 0;
    for (const auto& n : ns)
      for (const auto& g : glue)
        if (g.name == n) {
          ++glued;
          break;
        }
    const std::string how = glued == ns.size() ? "glue"
                            : glued == 0       ? "no glue"
                                               : "glue for " + std::to_string(glued) + " of " + std::to_string(ns.size());
    return "referral to " + referral_zone + " via " + join(ns) + " (" + how + ")";
  }
  if (kind == "answer" || kind == "cname") {
    std::vector<std::string> parts;
    for (const auto& r : records) parts.push_back(r.type + " " + r.value);
    return kind == "answer" ? "answer " + join(parts) : join(parts) + ": asked again from the root";
  }
  if (kind == "nxdomain") return "NXDOMAIN";
  if (kind == "nodata") return "NODATA (no " + qtype + " record)";
  if (!failure) return kind;
  // What the walk made of it, where the server's words alone do not say.
  const char* what = failure->code == Code::kDnsLameDelegation ? "lame: "
                     : failure->code == Code::kDnsReferralLoop ? "loop: "
                     : failure->code == Code::kDnsTooDeep      ? "too deep: "
                                                               : "";
  return what + failure->message;
}

std::string_view outcome_name(Outcome o) {
  switch (o) {
    case Outcome::kRunning: return "running";
    case Outcome::kOk: return "ok";
    case Outcome::kHttpError: return "http_error";
    case Outcome::kFailed: return "failed";
  }
  return "failed";
}

std::optional<Outcome> outcome_from_name(std::string_view name) {
  for (Outcome o : {Outcome::kRunning, Outcome::kOk, Outcome::kHttpError, Outcome::kFailed})
    if (outcome_name(o) == name) return o;
  return std::nullopt;
}

std::string_view run_view_name(RunView v) { return v == RunView::kRepeat ? "repeat" : "first"; }

std::optional<RunView> run_view_from_name(std::string_view name) {
  for (RunView v : {RunView::kFirst, RunView::kRepeat})
    if (run_view_name(v) == name) return v;
  return std::nullopt;
}

std::optional<ClosedBy> closed_by_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kClosedByNames.size(); ++i)
    if (kClosedByNames[i] == name) return static_cast<ClosedBy>(i);
  return std::nullopt;
}

std::optional<CloseReason> close_reason_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kCloseReasonNames.size(); ++i)
    if (kCloseReasonNames[i] == name) return static_cast<CloseReason>(i);
  return std::nullopt;
}

Run::Figures Run::figures() const {
  Figures f;
  for (const Request& r : requests) {
    ++f.requests;
    if (r.redirect_from) ++f.redirects;
    if (r.failure || (r.status && *r.status >= 400)) ++f.failed;
    f.transfer_bytes += r.header_bytes.value_or(0) + r.body_bytes.value_or(0);
    f.decoded_bytes += r.body_decoded.value_or(r.body_bytes.value_or(0));
  }
  return f;
}

int Run::exit_status() const {
  switch (outcome) {
    case Outcome::kOk: return kExitOk;
    case Outcome::kHttpError: return kExitHttpError;
    case Outcome::kFailed: return failure ? code_info(failure->code).exit_status : kExitNetwork;
    case Outcome::kRunning: return kExitLocal;  // never finished: something local broke
  }
  return kExitLocal;
}

std::string options_to_json(const LoadOptions& o) {
  nlohmann::json headers = nlohmann::json::array();
  auto redacted = [&](const std::string& name, const std::string& value) {
    if (o.keep_secrets) return value;
    return is_secret_header(name) ? redact_value(name, value) : redact_url(value);
  };
  for (const auto& h : o.headers)  // -H 'Name:' (a header left out) as given
    headers.push_back(is_removed_header(h) ? h.first + ":" : h.first + ": " + redacted(h.first, h.second));
  nlohmann::json resolve = nlohmann::json::array();
  for (const auto& r : o.resolve) {
    std::string addrs;
    for (const auto& a : r.addresses) addrs += (addrs.empty() ? "" : ",") + a;
    resolve.push_back(r.host + ":" + std::to_string(r.port) + ":" + addrs);
  }
  nlohmann::json j = {
      {"method", o.method.empty() ? (o.data ? "POST" : "GET") : o.method},
      {"headers", headers},
      {"data_bytes", o.data ? nlohmann::json(o.data->size()) : nlohmann::json(nullptr)},
      {"user_agent", redacted("User-Agent", o.user_agent)},
      {"insecure", o.insecure},
      {"cacert", o.cacert},
      {"ip_version", o.ip_version},
      {"resolve", resolve},
      {"dns_servers", o.dns_servers},
      {"dns_trace", o.dns_trace},
      {"dns_roots", o.dns_roots},
      {"max_redirs", o.max_redirs},
      {"connect_timeout_ms", o.connect_timeout_ms},
      {"max_time_ms", o.max_time_ms},
      {"dns_timeout_ms", o.dns_timeout_ms},
      {"max_filesize", o.max_filesize},
      {"keepalive", o.keepalive},
      {"share_connections", o.share_connections},
      {"keep_secrets", o.keep_secrets},
      {"http11", o.http11},
      {"document_only", o.document_only},
      {"max_requests", o.max_requests},
      {"max_frame_depth", o.max_frame_depth},
  };
  // -b: the cookies given, as a Cookie header would be stored (values redacted).
  if (!o.cookie.empty()) j["cookie"] = redacted("Cookie", o.cookie);
  if (!o.cookies.empty()) j["cookie_file_cookies"] = o.cookies.size();
  if (!o.referer.empty()) j["referer"] = redact_url(o.referer);
  if (o.referer_auto) j["referer_auto"] = true;
  // Which proxy variables were set, not their values (a proxy URL may carry a password;
  // the proxy a run used is recorded, redacted, in runs.proxy).
  if (!o.proxy_env.empty()) {
    nlohmann::json names = nlohmann::json::array();
    for (const auto& [name, value] : o.proxy_env) names.push_back(name);
    j["proxy_variables"] = names;
  }
  if (o.noproxy) j["noproxy"] = *o.noproxy;
  // -x and -U: the password redacted, as a URL's is (README "Secrets").
  if (o.proxy) j["proxy"] = o.keep_secrets ? *o.proxy : redact_proxy(*o.proxy);
  if (!o.proxy_user.empty()) {
    const auto colon = o.proxy_user.find(':');
    j["proxy_user"] = o.keep_secrets || colon == std::string::npos
                          ? o.proxy_user
                          : o.proxy_user.substr(0, colon + 1) + std::string(kRedacted);
  }
  if (!o.connect_to.empty()) {
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& c : o.connect_to) entries.push_back(c.text);
    j["connect_to"] = entries;
  }
  // TLS choices only when made: "1.2", "1.3".
  auto version = [](TlsVersion v) { return v == TlsVersion::kTls12 ? "1.2" : "1.3"; };
  if (o.tls_min != TlsVersion::kDefault) j["tls_min"] = version(o.tls_min);
  if (o.tls_max != TlsVersion::kDefault) j["tls_max"] = version(o.tls_max);
  if (!o.tls_sessions) j["tls_sessions"] = false;
  if (o.cache_start)
    j["cache"] = {{"dir", o.cache_start->dir.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.cache_start->dir)},
                  {"responses", o.cache_start->responses}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace pageload
