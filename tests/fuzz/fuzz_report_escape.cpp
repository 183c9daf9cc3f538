// The HTML report with every network string taken from the fuzzer. The page is rendered
// twice: with the fuzzer's strings, and with their HTML-special bytes swapped with control
// bytes (a permutation, so the report's choices that compare strings or their lengths come
// out the same).
// Every string is escaped, so both pages have the same number of '<' and of "<script":
// no byte of input ever opens a tag.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "report/html.h"

using namespace pageload;

namespace {

// Hands out the input's NUL-separated pieces in turn; "" once they run out.
class Pieces {
 public:
  explicit Pieces(std::string_view input, bool mask) : mask_(mask) {
    std::size_t start = 0;
    for (;;) {
      auto nul = input.find('\0', start);
      pieces_.emplace_back(input.substr(start, nul - start));
      if (nul == std::string_view::npos) break;
      start = nul + 1;
    }
  }
  std::string next() {
    if (i_ >= pieces_.size()) return {};
    std::string s(pieces_[i_++]);
    return mask_ ? masked(s) : s;
  }

  // `s` with every byte that means something in HTML swapped with a control byte, and
  // that control byte with it: a permutation of bytes, so the mapping is one-to-one and
  // keeps every string's length, and the report makes the same choices for both runs (a
  // final URL equal to the URL is not repeated, a header value of 16 bytes or more that an
  // earlier request sent is named rather than repeated: a masking that lengthened strings
  // let a 15-byte value pass that bound in one run only, and the pages differed).
  static std::string masked(const std::string& s) {
    static constexpr std::pair<char, char> kSwaps[] = {{'<', '\x1c'}, {'>', '\x1d'}, {'&', '\x1e'}, {'"', '\x1f'},
                                                       {'\'', '\x1a'}, {'`', '\x19'}, {'=', '\x18'}};
    std::string out = s;
    for (char& c : out)
      for (const auto& [special, control] : kSwaps) {
        if (c == special) {
          c = control;
          break;
        }
        if (c == control) {
          c = special;
          break;
        }
      }
    return out;
  }

 private:
  std::vector<std::string_view> pieces_;
  std::size_t i_ = 0;
  bool mask_;
};

// A two-hop run over TLS with a DNS lookup: every string field from `p`.
Run make_run(Pieces& p) {
  Run run;
  run.id = 7;
  run.started_at = p.next();
  run.url = p.next();
  run.final_url = p.next();
  run.final_status = 200;
  run.outcome = Outcome::kFailed;
  run.failure = Failure{Code::kTlsCertUntrusted, p.next()};
  run.total_ms = 12.5;
  run.label = p.next();
  run.options_json = p.next();
  run.tool_version = p.next();
  run.library_versions = p.next();

  DnsLookup lookup;
  lookup.host = p.next();
  lookup.servers = {p.next()};
  lookup.outcome = p.next();
  lookup.ares_status = p.next();
  lookup.queries.push_back(DnsQuery{p.next(), p.next(), p.next()});
  lookup.answers.push_back(DnsAnswer{"CNAME", p.next(), p.next()});
  lookup.answers.push_back(DnsAnswer{p.next(), p.next(), p.next()});
  lookup.failure = Failure{Code::kDnsBadReply, p.next()};
  run.dns_lookups.push_back(lookup);

  Connection c;
  c.scheme = p.next();
  c.host = p.next();
  c.port = 443;
  c.remote_ip = p.next();
  c.local_ip = p.next();
  c.attempts.push_back(ConnectAttempt{p.next(), 443, 4, p.next()});
  TlsInfo tls;
  tls.version = p.next();
  tls.cipher = p.next();
  tls.alpn = p.next();
  tls.subject = p.next();
  tls.issuer = p.next();
  tls.sans = {p.next(), p.next()};
  tls.not_before = p.next();
  tls.not_after = p.next();
  tls.verify_message = p.next();
  c.tls = tls;
  c.connect = Span{0.5, 1.5};
  c.requests = 2;
  run.connections.push_back(c);

  for (int i = 0; i < 2; ++i) {
    Request r;
    r.id = i;
    r.seq = i;
    if (i) r.redirect_from = 0;
    r.method = p.next();
    r.url = p.next();
    r.scheme = p.next();
    r.host = p.next();
    r.connection = 0;
    r.dns_lookup = 0;
    r.phases.push_back(PhaseRecord{Phase::kDns, Span{0, 0.5}, std::nullopt});
    r.phases.push_back(PhaseRecord{Phase::kWait, Span{2, 3}, Failure{Code::kRecvError, p.next()}});
    r.http_version = p.next();
    r.status = i ? 200 : 302;
    r.reason = p.next();
    r.location = p.next();
    r.redirect_url = p.next();
    r.content_type = p.next();
    r.request_headers = {{p.next(), p.next()}, {p.next(), p.next()}};
    r.response_headers = {{p.next(), p.next()}, {"Location", p.next()}};
    r.warnings = {p.next()};
    r.error_phase = Phase::kWait;
    r.failure = Failure{Code::kRecvError, p.next()};
    run.requests.push_back(r);
  }
  return run;
}

std::size_t count(const std::string& html, std::string_view needle) {
  std::string lower = html;
  for (char& ch : lower) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
  std::size_t n = 0;
  for (auto pos = lower.find(needle); pos != std::string::npos; pos = lower.find(needle, pos + 1)) ++n;
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  Pieces hostile(input, false), masked(input, true);
  const std::string page = report::render_html(make_run(hostile));
  const std::string baseline = report::render_html(make_run(masked));
  if (count(page, "<") != count(baseline, "<")) std::abort();
  if (count(page, "<script") != count(baseline, "<script")) std::abort();
  if (count(page, "</script") != count(baseline, "</script")) std::abort();
  return 0;
}
