#include "cli/curl_headers.h"

#include "cli/safe.h"
#include "cli/write_out.h"
#include "core/http_status.h"
#include "core/url.h"

namespace pageload::cli {
namespace {

// Long enough for any real header; a line longer than this is cut with "…".
constexpr std::size_t kMaxHeaderText = 16 * 1024;

std::string status_line(const Request& r) {
  std::string line = r.http_version.empty() ? "HTTP/1.1" : r.http_version;
  line += " " + std::to_string(r.status.value_or(0));
  if (!r.reason.empty()) line += " " + safe(r.reason, kMaxHeaderText);
  // The HTTP cache keeps no reason phrase: a response it answered gets the standard one.
  else if (r.from_cache && r.status && !standard_reason(*r.status).empty())
    line += " " + std::string(standard_reason(*r.status));
  // No reason: the space before it stays, as curl prints "HTTP/2 200 " and an HTTP/1.1
  // "299 " (RFC 9112's status-line has it even when the phrase is empty).
  else line += " ";
  return line;
}

// Through a proxy without a tunnel (an http:// URL), the request line names the whole URL
// (absolute form, without user and password), as curl sends it to the proxy.
std::string request_line(const Run& run, const Request& r) {
  auto url = parse_url(r.url);
  std::string target = url.ok() ? url.value().target : r.url;
  const bool proxied = r.connection && *r.connection >= 0 && *r.connection < static_cast<int>(run.connections.size()) &&
                       !run.connections[static_cast<std::size_t>(*r.connection)].proxy.empty();
  if (proxied && url.ok() && url.value().scheme == "http") {
    const Url& u = url.value();
    target = "http://" + (u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host) +
             (u.port == 80 ? "" : ":" + std::to_string(u.port)) + target;
  }
  return safe(r.method, 64) + " " + safe(target, kMaxHeaderText) + " " +
         (r.http_version.empty() ? "HTTP/1.1" : r.http_version);
}

// A field's value as the server sent it, made safe for a terminal but for HTAB, which a
// field value may hold (RFC 9110 5.5) and curl writes as it is.
std::string field_value(const std::string& value) {
  std::string out;
  for (std::size_t from = 0;;) {
    const std::size_t tab = value.find('\t', from);
    out += safe(value.substr(from, tab == std::string::npos ? std::string::npos : tab - from), kMaxHeaderText);
    if (tab == std::string::npos) return out;
    out += '\t';
    from = tab + 1;
  }
}

std::string header_lines(const std::vector<Header>& headers, const std::string& prefix) {
  std::string out;
  for (const auto& [name, value] : headers) out += prefix + safe(name, 256) + ": " + field_value(value) + "\r\n";
  return out;
}

// The proxy's answers to the CONNECT that opened `hop`'s tunnel, as curl -i prints them
// (CURLOPT_SUPPRESS_CONNECT_HEADERS off): each before the origin's head.
std::string tunnel_answers(const Request& hop) {
  std::string out;
  for (const TunnelHead& head : hop.tunnel_heads.value)
    if (!head.sent) out += safe(head.first_line, kMaxHeaderText) + "\r\n" + header_lines(head.headers, "") + "\r\n";
  return out;
}

}  // namespace

std::string response_heads(const Run& run, bool final_trailers) {
  std::string out;
  const auto chain = document_chain(run);
  for (const Request* hop : chain) {
    out += tunnel_answers(*hop);
    if (!hop->status) continue;
    out += status_line(*hop) + "\r\n" + header_lines(hop->response_headers, "") + (hop->head_cut.value ? "" : "\r\n");
    if (hop != chain.back() || final_trailers) out += header_lines(hop->response_trailers, "");
  }
  return out;
}

std::string document_trailers(const Run& run) {
  const auto chain = document_chain(run);
  return chain.empty() ? std::string() : header_lines(chain.back()->response_trailers, "");
}

std::string verbose_heads(const Run& run) {
  std::string out;
  for (const Request* hop : document_chain(run)) {
    for (const TunnelHead& head : hop->tunnel_heads.value) {
      const std::string prefix = head.sent ? ">" : "<";
      out += prefix + " " + safe(head.first_line, kMaxHeaderText) + "\r\n" + header_lines(head.headers, prefix + " ") +
             prefix + " \r\n";
    }
    // A hop the HTTP cache answered went nowhere: no request or response to print as sent
    // and received, only what answered it (a revalidation did go on the wire: printed).
    if (hop->from_cache) {
      out += "* answered by the HTTP cache (fresh";
      if (!hop->cache_reason.empty()) out += ", " + safe(hop->cache_reason, 64);
      if (hop->cache_lifetime_s)
        out += ": " + std::to_string(static_cast<long long>(*hop->cache_lifetime_s)) + " s";
      out += "), nothing sent: " + std::to_string(hop->status.value_or(0)) + " as stored\r\n";
      continue;
    }
    if (!hop->request_headers.empty() || hop->status) {
      out += "> " + request_line(run, *hop) + "\r\n" + header_lines(hop->request_headers, "> ") + "> \r\n";
    }
    if (hop->status) {
      out += "< " + status_line(*hop) + "\r\n" + header_lines(hop->response_headers, "< ") +
             (hop->head_cut.value ? "" : "< \r\n");
    } else if (hop->failure) {
      out += "* " + safe(hop->failure->message, kMaxHeaderText) + "\r\n";
    }
  }
  return out;
}

}  // namespace pageload::cli
