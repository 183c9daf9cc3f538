// Synthetic runs for the report's tests: plain Run values built in memory, shaped like
// what the loader records (phases in order, connections reused per origin, absent
// phases missing). Shared by the unit tests and by report_fixtures, which writes them
// as HTML for the browser checks.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "pageload/result.h"

namespace pageload::synthetic {

// Durations (ms) of a fresh connection's phases, in kPhases order (-1: no blocked phase), and of a reused one.
// No tunnel (-1): these requests go direct; missing_phase() adds one.
inline constexpr std::array<double, kPhaseCount> kFreshMs{-1, 12, 18, -1, 34, 2, 55, 21};
inline constexpr std::array<double, kPhaseCount> kReusedMs{-1, 0, 0, -1, 0, 1.5, 31, 9};

// Strings that would run script, fetch something or break a context if a report
// emitted them raw. Every one must show up in the page as text.
const std::vector<std::string>& hostile_strings();

// A run that made no request (the URL was refused before any hop).
Run no_hops();

// A redirect chain of `hops` requests (hops >= 1) starting at https://example.test/.
// Every fourth hop moves to another origin (a new connection with DNS, connect and TLS);
// the others reuse their origin's connection. All but the last are redirects (301, 302,
// 307, 308 in turn); the last answers `final_status`.
Run redirect_chain(int hops, int final_status = 200);

// A redirect chain of `hops` requests (hops >= 1) shaped like a real one across hosts,
// or a chain loaded with --no-keepalive: every hop asks DNS (A and AAAA, a CNAME and
// an address), opens its own connection with a TLS handshake and a certificate of
// several SANs, and sends and gets the headers a browser and a web server do. This is
// the heaviest shape a report has per hop; the size and speed checks use it.
Run fresh_chain(int hops);

// One hop that failed resolving its host (NXDOMAIN).
Run failed_at_dns();

// One hop whose TLS handshake failed (expired certificate) after DNS and connect.
Run failed_at_tls();

// One successful hop over HTTPS on a fresh connection, with `missing` left out.
Run missing_phase(Phase missing);

// One hop whose lookup was walked from the root (--dns-trace): the A walk root -> test
// -> shop.test with a lame server (REFUSED) and a silent one (a 40 ms timeout) before the
// answer, an NS name looked up from the root (depth 1), and the AAAA walk beside it.
Run traced_walk();

// One hop (plus a redirect) with hostile_strings() in every field a report shows:
// URL, label, header names and values, reason phrase, certificate fields, error
// message, DNS names, warnings.
Run hostile();

// A page as `pageload run` loads it: the document (https://example.test/), a stylesheet
// it names, a font the stylesheet names (the critical path: document → CSS → font), a
// script, `images` images of the same origin found as the document arrives, a third-party
// image answered 404 and one whose host does not resolve (NXDOMAIN). Over HTTP/1.1
// (`http2` false) the first origin gets up to six connections, requests waiting for one
// are blocked, and connection #1 is closed by the server while idle, so a later request
// opens a new one (the keep-alive failure); over HTTP/2 one connection carries every
// request of the origin, streams overlapping. Every connection records how it ended.
// Content types, priorities, discovery times, document_ms and load_ms are set.
// `images` + 6 requests in all.
Run page(int images, bool http2);

// page(3, false) with hostile_strings() in the fields a subresource row and the
// connection view show: URL and host, content type, found_by, note, reason, an error.
Run hostile_page();

}  // namespace pageload::synthetic
