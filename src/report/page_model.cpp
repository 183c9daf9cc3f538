#include "report/page_model.h"

#include <algorithm>
#include <map>
#include <string>

#include "report/intervals.h"

namespace pageload::report {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// The media type of a Content-Type value, lower case, without parameters.
std::string media_type(std::string_view content_type) {
  std::string out;
  for (char c : content_type.substr(0, content_type.find(';'))) {
    if (c == ' ' || c == '\t') continue;
    out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return out;
}

ContentKind kind_of_request(ResourceType t) {
  switch (t) {
    case ResourceType::kDocument: return ContentKind::kHtml;
    case ResourceType::kStylesheet: return ContentKind::kCss;
    case ResourceType::kScript: return ContentKind::kJs;
    case ResourceType::kImage: return ContentKind::kImage;
    case ResourceType::kFont: return ContentKind::kFont;
    default: return ContentKind::kOther;
  }
}

// The moment a request's own network work began: its first phase after queueing. One that
// never left the queue (a page cut short while it was blocked) was never on the network.
double network_start(const Request& r) {
  for (const auto& p : r.phases)
    if (p.phase != Phase::kBlocked) return p.span.start_ms;
  return r.phase(Phase::kBlocked) ? r.span.end_ms : r.span.start_ms;
}

PathTime time_of_path(const Run& run, const std::vector<std::size_t>& path) {
  PathTime t;
  if (path.empty()) return t;
  std::vector<Span> network, busy;
  for (std::size_t i : path) {
    const Request& r = run.requests[i];
    network.push_back(Span{network_start(r), r.span.end_ms});
    busy.push_back(network.back());
    if (const PhaseRecord* b = r.phase(Phase::kBlocked)) busy.push_back(b->span);
  }
  t.length_ms = std::max(0.0, run.requests[path.back()].span.end_ms);
  t.network_ms = covered_ms(network);
  const double in_flight = covered_ms(busy);
  t.queued_ms = std::max(0.0, in_flight - t.network_ms);
  t.other_ms = std::max(0.0, t.length_ms - in_flight);
  return t;
}

}  // namespace

bool after_load(const Run& run, const Request& r) {
  const Request* at = &r;
  // Back along the redirect chain to the request the page named (bounded: a damaged
  // database may hold a loop).
  for (std::size_t steps = 0; at->redirect_from && steps < run.requests.size(); ++steps) {
    const Request* from = nullptr;
    for (const auto& q : run.requests)
      if (q.seq == *at->redirect_from) from = &q;
    if (!from || from == at) break;
    at = from;
  }
  return at->found_by == "link rel=icon" || at->found_by == "default /favicon.ico";
}

double row_start_ms(const Request& r) { return std::min(r.span.start_ms, r.discovered_ms.value_or(r.span.start_ms)); }

ContentKind content_kind(const Request& r) {
  const std::string type = media_type(r.content_type);
  if (type.empty()) return kind_of_request(r.resource_type);
  if (type == "text/html" || type == "application/xhtml+xml") return ContentKind::kHtml;
  if (type == "text/css") return ContentKind::kCss;
  if (type.find("javascript") != std::string::npos || type.find("ecmascript") != std::string::npos)
    return ContentKind::kJs;
  if (starts_with(type, "image/")) return ContentKind::kImage;
  if (starts_with(type, "font/") || starts_with(type, "application/font-") ||
      starts_with(type, "application/x-font-") || type == "application/vnd.ms-fontobject")
    return ContentKind::kFont;
  return ContentKind::kOther;
}

PageModel analyse_page(const Run& run) {
  PageModel m;
  const std::size_t n = run.requests.size();
  std::map<int, std::size_t> by_seq;
  for (std::size_t i = 0; i < n; ++i) by_seq.emplace(run.requests[i].seq, i);

  m.order.resize(n);
  for (std::size_t i = 0; i < n; ++i) m.order[i] = i;
  std::stable_sort(m.order.begin(), m.order.end(), [&](std::size_t a, std::size_t b) {
    const double x = row_start_ms(run.requests[a]);
    const double y = row_start_ms(run.requests[b]);
    return x != y ? x < y : run.requests[a].seq < run.requests[b].seq;
  });

  m.initiator.resize(n);
  for (std::size_t i = 0; i < n; ++i)
    if (const auto& seq = run.requests[i].initiator)
      if (auto it = by_seq.find(*seq); it != by_seq.end() && it->second != i) m.initiator[i] = it->second;

  // The document: seq 0, then each hop a redirect led to from it.
  if (auto first = by_seq.find(0); first != by_seq.end()) {
    std::size_t at = first->second;
    for (std::size_t steps = 0; steps < n; ++steps) {
      std::optional<std::size_t> next;
      for (std::size_t i = 0; i < n && !next; ++i)
        if (run.requests[i].redirect_from == run.requests[at].seq && i != at) next = i;
      if (!next) break;
      at = *next;
    }
    m.document = at;
  }

  m.after_load.resize(n);
  bool waited_for_any = false;
  for (std::size_t i = 0; i < n; ++i) {
    m.after_load[i] = after_load(run, run.requests[i]);
    waited_for_any |= !m.after_load[i];
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (waited_for_any && m.after_load[i]) continue;
    if (!m.last || run.requests[i].span.end_ms > run.requests[*m.last].span.end_ms) m.last = i;
  }
  m.on_critical_path.assign(n, false);
  if (m.last) {
    m.critical_path = initiator_chain(m, *m.last);
    m.critical_path.push_back(*m.last);
    for (std::size_t i : m.critical_path) m.on_critical_path[i] = true;
  }
  m.path_time = time_of_path(run, m.critical_path);
  return m;
}

std::vector<std::size_t> initiator_chain(const PageModel& model, std::size_t index) {
  std::vector<std::size_t> chain;
  std::vector<bool> seen(model.initiator.size(), false);
  if (index < seen.size()) seen[index] = true;
  for (auto at = index < model.initiator.size() ? model.initiator[index] : std::nullopt; at && !seen[*at];
       at = model.initiator[*at]) {
    seen[*at] = true;
    chain.push_back(*at);
  }
  std::reverse(chain.begin(), chain.end());
  return chain;
}

std::optional<double> document_first_byte_ms(const Run& run, const PageModel& model) {
  if (!model.document) return std::nullopt;
  const Request& doc = run.requests[*model.document];
  if (const PhaseRecord* wait = doc.phase(Phase::kWait); wait && wait->ok()) return wait->span.end_ms;
  if (const PhaseRecord* receive = doc.phase(Phase::kReceive)) return receive->span.start_ms;
  return std::nullopt;
}

}  // namespace pageload::report
