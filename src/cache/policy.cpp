#include "cache/policy.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>

#include <openssl/sha.h>

#include "cache/http_date.h"
#include "core/redact.h"

namespace pageload::cache {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The comma-separated elements of every `name` header, trimmed, empty ones dropped.
std::vector<std::string> list_values(const std::vector<Header>& headers, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& [n, v] : headers) {
    if (!iequals(n, name)) continue;
    std::string_view rest = v;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      std::string_view item = trim(rest.substr(0, comma));
      if (!item.empty()) out.emplace_back(item);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return out;
}

// The Cache-Control directives of a response: name (lower case) and value (unquoted).
struct Directive {
  std::string name;
  std::string value;
};

std::vector<Directive> cache_control(const std::vector<Header>& headers) {
  std::vector<Directive> out;
  for (const std::string& item : list_values(headers, "cache-control")) {
    Directive d;
    const std::size_t eq = item.find('=');
    d.name = std::string(trim(std::string_view(item).substr(0, eq)));
    for (char& c : d.name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (eq != std::string::npos) {
      std::string_view v = trim(std::string_view(item).substr(eq + 1));
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      d.value = std::string(v);
    }
    out.push_back(std::move(d));
  }
  return out;
}

const Directive* find(const std::vector<Directive>& ds, std::string_view name) {
  for (const Directive& d : ds)
    if (d.name == name) return &d;
  return nullptr;
}

// A delta-seconds value (RFC 9111 1.2.2): digits only; a value too large for 64 bits is
// as large as it gets.
std::optional<int64_t> delta_seconds(std::string_view v) {
  if (v.empty() || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  // RFC 9111 1.2.2: a value too large, or one whose later sums could overflow, counts as
  // 2^31 seconds (68 years), so Age + delay + residence can never overflow.
  constexpr int64_t kLargest = int64_t{1} << 31;
  if (ec == std::errc::result_out_of_range) return kLargest;
  if (ec != std::errc()) return std::nullopt;
  return std::min(n, kLargest);
}

bool has_value(const std::vector<Header>& headers, std::string_view name, std::string_view value) {
  for (const std::string& v : list_values(headers, name))
    if (iequals(v, value)) return true;
  return false;
}

}  // namespace

std::optional<std::string> header_value(const std::vector<Header>& headers, std::string_view name) {
  for (const auto& [n, v] : headers)
    if (iequals(n, name)) return v;
  return std::nullopt;
}

Freshness freshness(int status, const std::vector<Header>& headers, int64_t response_time_s) {
  const std::vector<Directive> cc = cache_control(headers);
  if (find(cc, "no-store")) return {0, Reason::kNoStore};
  if (find(cc, "no-cache") || has_value(headers, "pragma", "no-cache")) return {0, Reason::kNoCache};
  if (const Directive* max_age = find(cc, "max-age"))
    if (auto s = delta_seconds(max_age->value)) return {static_cast<double>(*s), Reason::kMaxAge};

  int64_t date = response_time_s;  // no Date: generated when it was received
  if (auto d = header_value(headers, "date"))
    if (auto t = parse_http_date(*d)) date = *t;
  if (auto expires = header_value(headers, "expires")) {
    // An Expires that does not parse ("0", "-1") means already expired (RFC 9111 5.3).
    auto t = parse_http_date(*expires);
    return {t && *t > date ? static_cast<double>(*t - date) : 0.0, Reason::kExpires};
  }
  const bool must_revalidate = find(cc, "must-revalidate") != nullptr;
  if (status == 200 || status == 203 || status == 206) {
    if (auto lm = header_value(headers, "last-modified"))
      if (auto t = parse_http_date(*lm); t && *t <= date) {
        // must-revalidate is what decided: without it the heuristic would have given 10 %.
        if (must_revalidate) return {0, Reason::kMustRevalidate};
        return {static_cast<double>((date - *t) / 10), Reason::kLastModified};
      }
  }
  if (status == 300 || status == 301 || status == 308 || status == 410) return {kForeverS, Reason::kPermanent};
  return {0, Reason::kNone};
}

std::optional<Reason> not_storable(std::string_view method, int status, const std::vector<Header>& headers) {
  if (method != "GET" || status < 200 || status == 206 || status == 304) return Reason::kNotStorable;
  if (find(cache_control(headers), "no-store")) return Reason::kNoStore;
  for (const std::string& name : list_values(headers, "vary"))
    if (name == "*") return Reason::kNotStorable;
  return std::nullopt;
}

int64_t current_age(const CachedResponse& stored, int64_t now_s) {
  int64_t date = stored.response_time_s;
  if (auto d = header_value(stored.response_headers, "date"))
    if (auto t = parse_http_date(*d)) date = *t;
  int64_t age_value = 0;
  if (auto a = header_value(stored.response_headers, "age"))
    if (auto s = delta_seconds(trim(*a))) age_value = *s;
  const int64_t apparent_age = std::max<int64_t>(0, stored.response_time_s - date);
  const int64_t response_delay = std::max<int64_t>(0, stored.response_time_s - stored.request_time_s);
  const int64_t corrected_initial_age = std::max(apparent_age, age_value + response_delay);
  const int64_t resident_time = std::max<int64_t>(0, now_s - stored.response_time_s);
  return corrected_initial_age + resident_time;
}

std::vector<Header> Validators::headers() const {
  std::vector<Header> out;
  if (if_none_match) out.push_back({"If-None-Match", *if_none_match});
  if (if_modified_since) out.push_back({"If-Modified-Since", *if_modified_since});
  return out;
}

Decision evaluate(const CachedResponse& stored, const std::vector<Header>& request_headers, int64_t now_s) {
  Decision d;
  d.freshness = freshness(stored.status, stored.response_headers, stored.response_time_s);
  d.age_s = current_age(stored, now_s);
  for (const std::string& name : list_values(stored.response_headers, "vary")) {
    if (name == "*") return d;  // never matches
    auto joined = [&](const std::vector<Header>& hs) -> std::optional<std::string> {
      std::optional<std::string> out;
      for (const auto& [n, v] : hs)
        if (iequals(n, name)) out = out ? *out + ", " + v : v;
      return out;
    };
    if (joined(stored.request_headers) != joined(kept_request_headers(stored.response_headers, request_headers))) return d;
  }
  if (d.freshness.reason != Reason::kNoCache && d.freshness.lifetime_s > static_cast<double>(d.age_s)) {
    d.use = Use::kFresh;
    return d;
  }
  d.validators.if_none_match = header_value(stored.response_headers, "etag");
  d.validators.if_modified_since = header_value(stored.response_headers, "last-modified");
  d.use = d.validators.any() ? Use::kRevalidate : Use::kUnusable;
  return d;
}

std::vector<Header> merge_304_headers(const std::vector<Header>& stored, const std::vector<Header>& not_modified) {
  static constexpr std::string_view kKeep[] = {"content-length", "content-encoding", "transfer-encoding",
                                               "content-range", "connection", "keep-alive"};
  auto kept = [](const std::string& name) {
    return std::any_of(std::begin(kKeep), std::end(kKeep), [&](std::string_view k) { return iequals(name, k); });
  };
  std::vector<Header> out;
  for (const Header& h : stored) {
    const bool replaced = !kept(h.first) && std::any_of(not_modified.begin(), not_modified.end(),
                                                        [&](const Header& n) { return iequals(n.first, h.first); });
    if (!replaced) out.push_back(h);
  }
  for (const Header& n : not_modified)
    if (!kept(n.first)) out.push_back(n);
  return out;
}

std::string fingerprint(std::string_view value) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"  // deprecated in 3.0, still the plain code
  SHA256(reinterpret_cast<const unsigned char*>(value.data()), value.size(), digest);
#pragma GCC diagnostic pop
  std::string out = "sha256:";
  char hex[3];
  for (unsigned char b : digest) {
    std::snprintf(hex, sizeof hex, "%02x", b);
    out += hex;
  }
  return out;
}

std::vector<Header> kept_request_headers(const std::vector<Header>& response_headers,
                                         const std::vector<Header>& request_headers) {
  const std::vector<std::string> vary = list_values(response_headers, "vary");
  std::vector<Header> out;
  for (const Header& h : request_headers) {
    const bool varied = std::any_of(vary.begin(), vary.end(), [&](const std::string& v) { return iequals(v, h.first); });
    if (!varied) continue;
    out.push_back({h.first, is_secret_header(h.first) ? fingerprint(h.second) : h.second});
  }
  return out;
}

std::vector<Header> kept_response_headers(std::vector<Header> response_headers) {
  std::erase_if(response_headers, [](const Header& h) { return iequals(h.first, "set-cookie") || iequals(h.first, "set-cookie2"); });
  return response_headers;
}

}  // namespace pageload::cache
