#include "cli/demo_tour.h"

#include <algorithm>
#include <set>
#include <string_view>

#include "cli/cells.h"

namespace pageload::cli {
namespace {

std::string seq_text(const Request& r) { return "#" + std::to_string(r.seq); }
std::string ms_text(double ms) { return ms_figure(ms) + " ms"; }

double phase_ms(const Request& r, Phase p) {
  const PhaseRecord* rec = r.phase(p);
  return rec ? std::max(0.0, rec->span.duration_ms()) : 0.0;
}

// The requests whose URL contains `part`, in seq order.
std::vector<const Request*> requests_with(const Run& run, std::string_view part) {
  std::vector<const Request*> out;
  for (const auto& r : run.requests)
    if (r.url.find(part) != std::string::npos) out.push_back(&r);
  std::sort(out.begin(), out.end(), [](const Request* a, const Request* b) { return a->seq < b->seq; });
  return out;
}

const Request* first_of_type(const Run& run, ResourceType type) {
  const Request* found = nullptr;
  for (const auto& r : run.requests)
    if (r.resource_type == type && (!found || r.seq < found->seq)) found = &r;
  return found;
}

const Request* by_seq(const Run& run, std::optional<int> seq) {
  if (!seq) return nullptr;
  for (const auto& r : run.requests)
    if (r.seq == *seq) return &r;
  return nullptr;
}

// The connections the requests to the document's host went on, by index.
std::set<int> connections_of_host(const Run& run) {
  std::set<int> out;
  if (run.requests.empty()) return out;
  const std::string& host = run.requests.front().host;
  for (const auto& r : run.requests)
    if (r.host == host && r.connection) out.insert(*r.connection);
  return out;
}

std::string unexpected(const char* what) { return std::string("(not as expected: ") + what + "; see the summary above)"; }

}  // namespace

std::string look_http11(const Run& run) {
  const auto conns = connections_of_host(run);
  std::vector<const Request*> queued;
  const Request* longest = nullptr;
  for (const auto& r : run.requests) {
    if (r.resource_type != ResourceType::kImage || phase_ms(r, Phase::kBlocked) < 100) continue;
    queued.push_back(&r);
    if (!longest || phase_ms(r, Phase::kBlocked) > phase_ms(*longest, Phase::kBlocked)) longest = &r;
  }
  std::sort(queued.begin(), queued.end(), [](const Request* a, const Request* b) { return a->seq < b->seq; });
  std::string line = "Connections: " + std::to_string(conns.size()) +
                     " HTTP/1.1 connections to the page's host, each carrying its images one after another";
  if (queued.empty()) return line + "; " + unexpected("no image waited for a connection");
  return line + "; in the waterfall rows " + seq_text(*queued.front()) + " to " + seq_text(*queued.back()) +
         " begin with a light queued segment, the wait for a free connection (" + seq_text(*longest) + ": " +
         ms_text(phase_ms(*longest, Phase::kBlocked)) + ").";
}

std::string look_http2(const Run& run, const std::string& beside) {
  const auto conns = connections_of_host(run);
  double longest_wait = 0;
  for (const auto& r : run.requests) longest_wait = std::max(longest_wait, phase_ms(r, Phase::kBlocked));
  std::string line = "Connections: " +
                     std::string(conns.size() == 1 ? "one HTTP/2 connection" : std::to_string(conns.size()) + " connections") +
                     " to the page's host carrying all " + std::to_string(run.requests.size()) +
                     " requests, the images as overlapping streams stacked in lanes; no row waits longer than " +
                     ms_text(longest_wait) + " for a connection";
  if (!beside.empty()) line += ". Open it beside " + beside + " (HTTP/1.1)";
  return line + ".";
}

std::string look_third_party(const Run& run) {
  const auto third = requests_with(run, "delay-300.test");
  if (third.empty()) return unexpected("no request to widgets.delay-300.test");
  // One request makes the host's lookup and has the dns segment; the others queue behind
  // it (blocked), as the table above the line shows.
  const Request* looked_up = nullptr;
  double last_end = 0;
  std::string queued;
  for (const Request* r : third) {
    last_end = std::max(last_end, r->span.end_ms);
    if (!looked_up && r->phase(Phase::kDns)) looked_up = r;
    else queued += (queued.empty() ? "" : " and ") + seq_text(*r);
  }
  if (!looked_up) return unexpected("no request to widgets.delay-300.test made its DNS lookup");
  std::string line = "row " + seq_text(*looked_up) + " (widgets.delay-300.test): a dns segment of " +
                     ms_text(phase_ms(*looked_up, Phase::kDns));
  if (!queued.empty()) line += " (" + queued + " queued behind that lookup)";
  line += ", then a wait of " + ms_text(phase_ms(*looked_up, Phase::kWait)) + "; the host's requests end last, at " +
          ms_text(last_end) + ", where the \"loaded\" line stands";
  if (run.document_ms) line += ", while the document was complete at " + ms_text(*run.document_ms);
  return line + "; By host gives the host's share.";
}

std::string look_late_font(const Run& run) {
  const Request* font = first_of_type(run, ResourceType::kFont);
  if (!font) return unexpected("no font was fetched");
  const Request* sheet = by_seq(run, font->initiator);
  // Requested the moment it is found, it has no thin "found" line before its bar: the bar
  // itself begins late.
  std::string line = "row " + seq_text(*font) + " (the font): its bar begins only at " +
                     ms_text(font->discovered_ms.value_or(font->span.start_ms));
  if (sheet) line += ", when stylesheet " + seq_text(*sheet) + " had arrived";
  line += "; the Critical path box reads #0";
  if (sheet) line += " → " + seq_text(*sheet);
  return line + " → " + seq_text(*font) + ", document → stylesheet → font.";
}

std::string look_keep_alive(const Run& run) {
  const Request* font = first_of_type(run, ResourceType::kFont);
  if (!font || !font->connection || run.requests.empty() || !run.requests.front().connection)
    return unexpected("no font, or no connection");
  const Request& doc = run.requests.front();
  const int first = *doc.connection;
  const int second = *font->connection;
  if (first == second) return unexpected("the font reused the document's connection");
  const Connection& closed = run.connections[static_cast<std::size_t>(first)];
  if (!closed.closed || closed.closed->by != ClosedBy::kServer)
    return unexpected("the document's connection was not closed by the server");
  const double setup = phase_ms(*font, Phase::kDns) + phase_ms(*font, Phase::kConnect) + phase_ms(*font, Phase::kTls);
  std::string how = closed.retry_reason.empty() ? "" : " (curl sent the font's request on it first, found it closed and sent it again)";
  return "Connections, the page's host: connection #" + std::to_string(first) +
         " ends in a red mark, closed by the server" + how + "; the Keep-alive failure note above it says font " +
         seq_text(*font) + " had to open connection #" + std::to_string(second) + ", paying " + ms_text(setup) +
         " for its connect and TLS handshake again, and the connection's details say which side holds TIME_WAIT.";
}

std::vector<TourStop> tour(const lab::Lab& l) {
  LoadOptions base;
  base.dns_servers = {l.dns_server()};
  base.cacert = l.ca_file();
  auto stop = [&](std::string title, std::string url, std::string label) {
    TourStop s{std::move(title), base, {}, {}};
    s.options.url = std::move(url);
    s.options.label = "demo: " + std::move(label);
    return s;
  };
  std::vector<TourStop> t;
  t.push_back(stop("A redirect chain: 301 across hosts and from http to https, then 302, 303, 307 and 308 "
                   "on one reused https connection",
                   l.http_url("www.test", "/redirect/301?to=" + l.https_url("secure.test", "/chain/302,303,307,308")),
                   "redirect chain"));
  t.push_back(stop("A slow DNS server: the lab answers delay-150.test after 150 ms",
                   l.http_url("delay-150.test", "/"), "slow dns"));
  t.push_back(stop("A slow first byte: the server thinks for 300 ms (wait phase)",
                   l.https_url("secure.test", "/delay/300"), "slow first byte"));
  auto fresh = stop("The same chain with --no-keepalive: a new connection for every hop, each resuming the first's "
                    "TLS session (no certificate, shorter handshake)",
                    l.https_url("secure.test", "/chain/301,302,307"), "no keepalive");
  fresh.options.keepalive = false;
  t.push_back(fresh);
  t.push_back(stop("TLS 1.3: the handshake in one round trip (ClientHello, then the server's whole flight)",
                   l.https_url("secure.test", "/status/200"), "tls 1.3"));
  t.push_back(stop("The same URL on the lab's TLS 1.2 port: two round trips before the request can go",
                   l.https12_url("secure.test", "/status/200"), "tls 1.2"));
  auto refused = stop("--tlsv1.3 against the TLS 1.2 port: the server refuses with an alert after the ClientHello",
                      l.https12_url("secure.test", "/status/200"), "tls alert");
  refused.options.tls_min = TlsVersion::kTls13;
  t.push_back(refused);
  t.push_back(stop("A CNAME chain, then a first address that refuses (each address tried is recorded)",
                   l.http_url("cname-2.fallback.test", "/"), "cname and fallback"));
  t.push_back(stop("A 404 Not Found: a client error ends the run as http_error", l.http_url("www.test", "/status/404"),
                   "404"));
  t.push_back(stop("A 503 Service Unavailable", l.http_url("www.test", "/status/503"), "503"));
  t.push_back(stop("A name that does not exist: the run fails in its dns phase", l.http_url("nxdomain.test", "/"),
                   "nxdomain"));
  // The walk from the root: pageload asks the lab's root, TLD and authoritative servers
  // itself, as a recursive resolver with a cold cache would.
  auto traced = [&](std::string title, std::string host, std::string label) {
    TourStop s = stop(std::move(title), l.http_url(host, "/"), std::move(label));
    s.options.dns_servers.clear();
    s.options.dns_trace = true;
    s.options.dns_roots = {l.dns_root()};
    s.options.ip_version = 4;
    return s;
  };
  t.push_back(traced("--dns-trace: the lookup walked from the root, root -> test. -> cname.test, whose CNAME into "
                     "shop.test starts the walk again at the root",
                     "www.cname.test", "dns trace"));
  t.push_back(traced("--dns-trace past a lame server: ns1.lame.test refuses (a step of its own), ns2.lame.test answers",
                     "www.lame.test", "dns trace lame"));
  t.push_back(traced("--dns-trace to a slow authoritative server: its step takes its 100 ms, the root's and the TLD's "
                     "a fraction of one",
                     "www.slow.test", "dns trace slow"));
  t.push_back(traced("--dns-trace into a zone whose every server is silent or unreachable: dns_unreachable",
                     "www.down.test", "dns trace down"));

  // Whole pages: what the report's waterfall and connection view are for.
  auto page = [&](std::string title, std::string url, std::string label,
                  std::function<std::string(const Run&, const std::string&)> look) {
    TourStop s = stop(std::move(title), std::move(url), std::move(label));
    s.look = std::move(look);
    return s;
  };
  auto h1 = page("A page of 18 slow images over HTTP/1.1 (--http1.1): six connections, the images in three waves",
                 l.https_url("www.test", "/page/images"), "page http/1.1",
                 [](const Run& r, const std::string&) { return look_http11(r); });
  h1.options.http11 = true;
  t.push_back(h1);
  auto h2 = page("The same page over HTTP/2: one connection, every image a stream at once",
                 l.https_url("www.test", "/page/images"), "page http/2",
                 [](const Run& r, const std::string& beside) { return look_http2(r, beside); });
  h2.beside = t.size() - 1;
  t.push_back(h2);
  t.push_back(page("A slow third-party host: a script and a pixel whose host takes 300 ms to resolve and 700 ms to answer",
                   l.https_url("www.test", "/page/slow-third-party"), "page slow third party",
                   [](const Run& r, const std::string&) { return look_third_party(r); }));
  t.push_back(page("A late-discovered font: named only by a stylesheet that takes 300 ms, it is asked for last",
                   l.https_url("www.test", "/page/late-font"), "page late font",
                   [](const Run& r, const std::string&) { return look_late_font(r); }));
  t.push_back(page("A keep-alive failure: the server closes an idle connection after 200 ms, and a font found later "
                   "needs a new connect and TLS handshake",
                   l.https11_url("www.test", "/page/keep-alive"), "page keep-alive",
                   [](const Run& r, const std::string&) { return look_keep_alive(r); }));
  return t;
}

}  // namespace pageload::cli
