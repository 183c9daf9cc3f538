#include "core/redact.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <utility>

namespace pageload {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

bool is_secret_header(std::string_view name) {
  return iequals(name, "authorization") || iequals(name, "proxy-authorization") ||
         iequals(name, "cookie") || iequals(name, "set-cookie");
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "a=1; b=2" -> "a=[redacted]; b=[redacted]"
std::string redact_cookie_pairs(std::string_view value) {
  std::string out;
  while (!value.empty()) {
    auto semi = value.find(';');
    std::string_view pair = trim(value.substr(0, semi));
    auto eq = pair.find('=');
    if (!out.empty()) out += "; ";
    out += (eq == std::string_view::npos) ? std::string(kRedacted)
                                          : std::string(pair.substr(0, eq + 1)) + std::string(kRedacted);
    if (semi == std::string_view::npos) break;
    value.remove_prefix(semi + 1);
  }
  return out;
}

// "id=secret; Path=/; HttpOnly" -> "id=[redacted]; Path=/; HttpOnly"
std::string redact_set_cookie(std::string_view value) {
  auto semi = value.find(';');
  std::string first = redact_cookie_pairs(value.substr(0, semi));
  if (semi == std::string_view::npos) return first;
  return first + std::string(value.substr(semi));
}

}  // namespace

std::string redact_value(std::string_view name, std::string_view value) {
  if (iequals(name, "cookie")) return redact_cookie_pairs(value);
  if (iequals(name, "set-cookie")) return redact_set_cookie(value);
  if (is_secret_header(name)) {
    // Keep the scheme ("Bearer", "Basic"): it is useful and not secret.
    auto sp = trim(value).find(' ');
    if (sp != std::string_view::npos) return std::string(trim(value).substr(0, sp)) + " " + std::string(kRedacted);
    return std::string(kRedacted);
  }
  return std::string(value);
}

namespace {

constexpr std::size_t kNone = std::string_view::npos;

bool is_slash(char c) { return c == '/' || c == '\\'; }
bool is_space(char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }
bool opens_quote(char c) { return c == '\'' || c == '"' || c == '<'; }
bool is_scheme_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
}

// Where a userinfo may begin, and whether white space may be inside its authority.
struct AuthorityStart {
  std::size_t at;
  bool spans_space;
};

// The password ranges [first, second) of `s`, merged and in order. Linear in s.size():
// each candidate authority's end, last '@' and first ':' come from tables built once.
std::vector<std::pair<std::size_t, std::size_t>> password_ranges(std::string_view s, bool text) {
  const std::size_t n = s.size();
  // The start of the RFC 3986 scheme that ends just before s[colon] == ':', or kNone.
  auto scheme_before = [&](std::size_t colon) {
    std::size_t b = colon;
    while (b > 0 && is_scheme_char(s[b - 1])) --b;
    return b < colon && std::isalpha(static_cast<unsigned char>(s[b])) ? b : kNone;
  };
  // In free text white space ends an authority, unless the URL-like part is quoted.
  auto spans_space = [&](std::size_t url_start) { return !text || (url_start > 0 && opens_quote(s[url_start - 1])); };

  std::vector<AuthorityStart> starts;
  for (std::size_t i = 0; i < n;) {
    if (is_slash(s[i])) {
      std::size_t j = i;
      while (j < n && is_slash(s[j])) ++j;
      const std::size_t scheme = i > 0 && s[i - 1] == ':' ? scheme_before(i - 1) : kNone;
      // "//x", "\\x", "scheme://x"; "scheme:/x", which browsers read as "scheme://x"
      // unless it is the base's scheme; and "/x": a path segment such as the one
      // "http:/u:p@h" becomes against an http: base ("http://base/u:p@h"), where the
      // password is still the one the text named.
      starts.push_back({j, spans_space(scheme != kNone ? scheme : i)});
      i = j;
      continue;
    }
    // In free text "word: " is prose ("header needs 'Name: value': -H '@FILE'"), not
    // "scheme:user:password@host": no userinfo begins with white space.
    if (s[i] == ':' && (i + 1 >= n || !is_slash(s[i + 1])) && !(text && i + 1 < n && is_space(s[i + 1]))) {
      // "scheme:user:password@host", which browsers also read as an authority.
      if (const std::size_t scheme = scheme_before(i); scheme != kNone) starts.push_back({i + 1, spans_space(scheme)});
    }
    ++i;
  }
  if (starts.empty()) return {};

  // From the right: the first authority end at or after i (with and without white space
  // as an end), and the first ':' at or after i. From the left: the last '@' before i.
  std::vector<std::size_t> end_url(n + 1, n), end_text(n + 1, n), colon(n + 1, kNone), last_at(n + 1, kNone);
  for (std::size_t i = n; i-- > 0;) {
    const bool ends = is_slash(s[i]) || s[i] == '?' || s[i] == '#';
    end_url[i] = ends ? i : end_url[i + 1];
    end_text[i] = ends || is_space(s[i]) ? i : end_text[i + 1];
    colon[i] = s[i] == ':' ? i : colon[i + 1];
  }
  for (std::size_t i = 0; i < n; ++i) last_at[i + 1] = s[i] == '@' ? i : last_at[i];

  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  for (const AuthorityStart& start : starts) {
    const std::size_t end = start.spans_space ? end_url[start.at] : end_text[start.at];
    const std::size_t at = last_at[end];
    if (at == kNone || at < start.at) continue;  // no userinfo
    const std::size_t c = colon[start.at];
    if (c == kNone || c >= at) continue;  // a user name alone
    ranges.emplace_back(c + 1, at);
  }
  std::sort(ranges.begin(), ranges.end());
  std::vector<std::pair<std::size_t, std::size_t>> merged;
  for (const auto& r : ranges) {
    if (!merged.empty() && r.first <= merged.back().second) merged.back().second = std::max(merged.back().second, r.second);
    else merged.push_back(r);
  }
  return merged;
}

std::string redact_pass(std::string_view s, bool text) {
  const auto ranges = password_ranges(s, text);
  if (ranges.empty()) return std::string(s);
  std::string out;
  out.reserve(s.size() + ranges.size() * kRedacted.size());
  std::size_t from = 0;
  for (const auto& [begin, end] : ranges) {
    out.append(s.substr(from, begin - from));
    out.append(kRedacted);
    from = end;
  }
  out.append(s.substr(from));
  return out;
}

// Passes until nothing changes: a password with white space in it, once replaced, can
// let an earlier authority in free text reach further, to another '@'. Each pass that
// changes anything makes the text shorter or fills an empty password, so this ends
// after a few passes; the bound is a guard.
std::string redact_passwords(std::string_view s, bool text) {
  std::string out = redact_pass(s, text);
  for (int pass = 0; pass < 16; ++pass) {
    std::string again = redact_pass(out, text);
    if (again == out) break;
    out = std::move(again);
  }
  return out;
}

void redact_in_place(std::string& s, bool text) {
  if (s.find('@') != std::string::npos) s = redact_passwords(s, text);
}

void redact_failure(std::optional<Failure>& f) {
  if (f) redact_in_place(f->message, true);
}

}  // namespace

std::string redact_url(std::string_view url) { return redact_passwords(url, false); }

std::string redact_proxy(std::string_view proxy) {
  if (proxy.find("://") != std::string_view::npos) return redact_url(proxy);
  constexpr std::string_view kScheme = "http://";
  const std::string redacted = redact_url(std::string(kScheme) + std::string(proxy));
  return redacted.compare(0, kScheme.size(), kScheme) == 0 ? redacted.substr(kScheme.size()) : redacted;
}

std::string redact_text(std::string_view text) { return redact_passwords(text, true); }

void redact_run(Run& run) {
  redact_in_place(run.url, false);
  redact_in_place(run.final_url, false);
  redact_in_place(run.label, true);
  redact_in_place(run.proxy, false);
  for (auto& w : run.warnings) redact_in_place(w, true);
  redact_failure(run.failure);
  for (Request& r : run.requests) {
    redact_in_place(r.url, false);
    redact_in_place(r.location, false);
    redact_in_place(r.redirect_url, false);
    redact_in_place(r.reason, true);
    redact_in_place(r.content_type, true);
    redact_in_place(r.note, true);
    redact_in_place(r.found_by, true);
    for (std::vector<Header>* headers : {&r.request_headers, &r.response_headers, &r.response_trailers}) {
      for (auto& [name, value] : *headers) {
        // A header value is one value, not prose: read as one URL (Location,
        // Content-Location, Referer), white space and all.
        if (is_secret_header(name)) value = redact_value(name, value);
        else redact_in_place(value, false);
      }
    }
    for (TunnelHead& head : r.tunnel_heads.value) {
      redact_in_place(head.first_line, true);
      for (auto& [name, value] : head.headers) {
        if (is_secret_header(name)) value = redact_value(name, value);
        else redact_in_place(value, false);
      }
    }
    for (auto& w : r.warnings) redact_in_place(w, true);
    redact_failure(r.failure);
    for (PhaseRecord& p : r.phases) redact_failure(p.failure);
  }
  for (Connection& c : run.connections) {
    for (ConnectAttempt& a : c.attempts) redact_in_place(a.error, true);
    redact_in_place(c.proxy, false);
    if (!c.tls) continue;
    // A certificate is the server's text too: a URI SAN may carry a password.
    for (std::string* s : {&c.tls->subject, &c.tls->issuer, &c.tls->verify_message}) redact_in_place(*s, true);
    for (auto& san : c.tls->sans) redact_in_place(san, true);
  }
  for (DnsLookup& d : run.dns_lookups) redact_failure(d.failure);
}

void redact_headers(std::vector<Header>& headers) {
  for (auto& [name, value] : headers)
    if (is_secret_header(name)) value = redact_value(name, value);
}

}  // namespace pageload
