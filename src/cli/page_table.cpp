#include "cli/page_table.h"

#include "core/http_status.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>
#include <vector>

#include "cli/connect_output.h"
#include "cli/safe.h"
#include "cli/tls_output.h"
#include "core/page_notes.h"

namespace pageload::cli {
namespace {

// The url column: below kComfortableUrl the optional columns (total, priority, start,
// http: the drop order) make room for it; below kMinUrlOnLine each url goes on a line of
// its own, under its request; a failure's class and kMinUrl / 2 of the label always fit.
constexpr std::size_t kComfortableUrl = 24;
constexpr std::size_t kMinUrlOnLine = 20;
constexpr std::size_t kMinUrl = 12;
constexpr int kOptionalColumns = 4;
// How many other requests a shared note names before it only counts them.
constexpr std::size_t kNamedInNote = 8;

// Short type names for the table (the totals and the database use the full ones).
constexpr std::string_view short_type(ResourceType t) {
  constexpr std::array<std::string_view, 7> kShort{"doc", "css", "js", "img", "font", "media", "other"};
  return kShort[static_cast<int>(t)];
}

struct Cell {
  std::string text;
  const char* color = nullptr;
};

// A column of the request table: a title and one cell per request.
struct Column {
  std::string_view title;
  bool right = true;   // numbers right-aligned, text left
  int drop = 0;        // 0: always shown; else left out in this order when space is short
  bool url = false;    // the one column that takes the width left
  std::vector<Cell> cells;
  std::size_t width = 0;
  bool shown = true;
  bool has_data = true;  // false: every cell empty, the column never shown
};

// One request's url cell: the label, cut to fit, and its failure class at the right.
struct UrlCell {
  std::string label;
  std::string failure;  // error class, empty when it did not fail
};

// "A 127.0.0.1:1 UNREACHABLE, 127.0.0.1:53 NOERROR; AAAA ..." when some try of the
// lookup was not its answer (a retry, a dead or silent server); empty when every query
// was answered by the one message it sent.
std::string dns_tries_text(const DnsLookup& d) {
  bool retried = false;
  for (const auto& q : d.queries) retried |= q.attempts.size() > 1 || (q.attempts.size() == 1 && q.server.empty());
  if (!retried) return "";
  std::string out;
  for (const auto& q : d.queries) {
    out += (out.empty() ? "" : "; ") + q.type;
    for (std::size_t i = 0; i < q.attempts.size(); ++i)
      out += (i ? ", " : " ") + safe(q.attempts[i].server) + " " +
             (q.attempts[i].outcome.empty() ? "-" : safe(q.attempts[i].outcome));
  }
  return out;
}

struct NoteText {
  std::string text;
  const char* color;
};

// What belongs under a request's line.
std::vector<NoteText> request_notes(const Run& run, const Request& r) {
  std::vector<NoteText> out;
  // A reason phrase is only worth a line when it is not the code's usual one (HTTP/2 has
  // none): a server's own words, or text meant for the terminal, shown escaped.
  if (r.status && !r.reason.empty() && r.reason != standard_reason(*r.status))
    out.push_back({"reason: " + safe(r.reason, 200), nullptr});
  // Where a followed redirect went, whole (the next line's url is cut to fit).
  if (!r.redirect_url.empty()) out.push_back({"→ " + safe(r.redirect_url, 2048), kDim});
  if (r.failure)
    out.push_back({(r.error_phase ? std::string(phase_name(*r.error_phase)) + " failed: " : "") +
                       std::string(code_name(r.failure->code)) + ": " + safe(r.failure->message, kFailureText),
                   kRed});
  const DnsLookup* lookup = r.dns_lookup && *r.dns_lookup >= 0 && *r.dns_lookup < static_cast<int>(run.dns_lookups.size())
                                ? &run.dns_lookups[static_cast<std::size_t>(*r.dns_lookup)]
                                : nullptr;
  if (lookup && lookup->source == "cache") out.push_back({"dns answered from the run's cache (TTL still valid)", kDim});
  if (lookup && lookup->source == "hosts")
    out.push_back({"dns: " + safe(lookup->host) + " is the loopback host, answered locally with no query (RFC 6761)", kDim});
  if (lookup && r.phase(Phase::kDns))
    if (std::string tries = dns_tries_text(*lookup); !tries.empty()) out.push_back({"dns tries: " + tries, kDim});
  if (r.connection && !r.reused && *r.connection >= 0 && *r.connection < static_cast<int>(run.connections.size())) {
    const Connection& c = run.connections[static_cast<std::size_t>(*r.connection)];
    const bool failed_in_tls = r.failure && r.error_phase == Phase::kTls;
    // The handshake of the connection this request opened, in one line (show has it step by step).
    if (std::string tries = attempts_note(c); !tries.empty()) out.push_back({tries, kDim});
    if (std::string tls = tls_summary_line(c); !tls.empty()) out.push_back({"tls " + tls, kDim});
    if (std::string why = connection_purpose_note(run, c); !why.empty())
      out.push_back({"its connection is " + why, kDim});
    if (c.tls && !c.tls->verified && !failed_in_tls)
      out.push_back({"certificate not verified, loaded under -k: " +
                         (c.tls->verify_message.empty() ? "verify result " + std::to_string(c.tls->verify_result)
                                                        : safe(c.tls->verify_message)),
                     kRed});
  }
  for (const auto& w : r.warnings) out.push_back({"warning: " + safe(w), nullptr});
  return out;
}

// " (also #4, #5)" for a note printed once, under request `self`, for several requests.
std::string also_text(const std::vector<int>& seqs, int self) {
  std::vector<int> others;
  for (int seq : seqs)
    if (seq != self) others.push_back(seq);
  if (others.empty()) return "";
  std::string out = " (also";
  for (std::size_t i = 0; i < others.size() && i < kNamedInNote; ++i) out += (i ? ", #" : " #") + std::to_string(others[i]);
  if (others.size() > kNamedInNote) out += " and " + std::to_string(others.size() - kNamedInNote) + " more";
  return out + ")";
}

}  // namespace

std::string url_label(const Request& r, const Request* document) {
  const bool same_scheme = document && document->scheme == r.scheme;
  const bool default_port = (r.scheme == "http" && r.port == 80) || (r.scheme == "https" && r.port == 443);
  const bool same_port = same_scheme && document->port == r.port;
  std::string label = same_scheme ? "" : r.scheme + "://";
  label += r.host.find(':') != std::string::npos ? "[" + r.host + "]" : r.host;
  if (r.port && !default_port && !same_port) label += ":" + std::to_string(r.port);
  // The target: what follows the authority (no user or password is ever shown).
  std::string_view url = r.url;
  std::size_t at = url.find("://");
  at = at == std::string_view::npos ? 0 : at + 3;
  at = url.find_first_of("/?#", at);
  std::string_view target = at == std::string_view::npos ? "/" : url.substr(at);
  target = target.substr(0, target.find('#'));
  label += target.empty() || target.front() != '/' ? "/" + std::string(target) : std::string(target);
  return safe(label, 4096);
}

std::optional<int> page_document(const Run& run) {
  if (run.requests.empty()) return std::nullopt;
  std::unordered_map<int, int> next;  // seq -> the hop its redirect led to
  for (const Request& r : run.requests)
    if (r.redirect_from) next.emplace(*r.redirect_from, r.seq);
  int seq = run.requests.front().seq;
  std::set<int> seen{seq};
  for (auto it = next.find(seq); it != next.end() && seen.insert(it->second).second; it = next.find(seq)) seq = it->second;
  return seq;
}

std::string fit_label(const std::string& label, std::size_t width) {
  if (display_width(label) <= width) return label;
  // The host (and scheme) is what a cut label is read by: kept whole where it can be.
  const std::size_t scheme = label.find("://") == std::string::npos ? 0 : label.find("://") + 3;
  const std::size_t slash = label.find('/', scheme);
  const std::size_t head = slash == std::string::npos ? 0 : display_width(std::string_view(label).substr(0, slash + 1));
  // The query goes first: the path names the file.
  const std::size_t query = slash == std::string::npos ? std::string::npos : label.find('?', slash);
  if (query == std::string::npos) return cut_middle(label, width, head);
  const std::string path = label.substr(0, query);
  if (display_width(path) + 2 <= width) return path + "?…";
  return cut_middle(path, width, head);
}

namespace {

// The columns of the request table, in order.
enum ColumnId { kSeq, kFrom, kType, kPriority, kStatus, kUrl, kSize, kHttp, kConn, kStart, kFirstPhase };
constexpr int kTotal = kFirstPhase + kPhaseCount;
constexpr int kColumnCount = kTotal + 1;

std::string_view phase_title(Phase p) {
  switch (p) {
    case Phase::kBlocked: return "block";
    case Phase::kConnect: return "tcp";
    case Phase::kReceive: return "recv";
    default: return phase_name(p);
  }
}

struct RequestTable {
  std::vector<Column> columns;
  std::vector<UrlCell> urls;
  bool url_own_line = false;  // too narrow: each url on a line of its own, under its request
};

RequestTable build_table(const Run& run) {
  RequestTable t;
  t.columns.resize(kColumnCount);
  t.columns[kSeq] = {"#"};
  t.columns[kFrom] = {"from"};
  t.columns[kType] = {"type", false};
  t.columns[kPriority] = {"prio", false, 2};
  t.columns[kStatus] = {"status", false};
  t.columns[kUrl] = {"url", false, 0, true};
  t.columns[kSize] = {"size"};
  t.columns[kHttp] = {"http", false, 4};
  t.columns[kConn] = {"conn", false};
  t.columns[kStart] = {"start", true, 3};
  for (int i = 0; i < kPhaseCount; ++i) t.columns[kFirstPhase + i] = {phase_title(kPhases[i].phase)};
  t.columns[kTotal] = {"total", true, 1};

  const std::optional<int> document_seq = page_document(run);
  const Request* document = nullptr;
  std::set<int> redirected;  // seqs whose redirect was followed
  for (const Request& r : run.requests) {
    if (r.seq == document_seq) document = &r;
    if (r.redirect_from) redirected.insert(*r.redirect_from);
  }
  auto add = [&](int column, std::string text, const char* color = nullptr) {
    t.columns[column].cells.push_back({std::move(text), color});
  };
  for (const Request& r : run.requests) {
    add(kSeq, "#" + std::to_string(r.seq));
    // The initiator, unless it is the page's document (most requests): a stylesheet's
    // font, an iframe's image, a redirect's next hop.
    add(kFrom, r.initiator && *r.initiator != document_seq ? "<#" + std::to_string(*r.initiator) : "");
    add(kType, std::string(short_type(r.resource_type)));
    add(kPriority, r.priority ? std::string(priority_name(*r.priority)) : "-");
    add(kStatus, (r.status ? std::to_string(*r.status) : "-") + (redirected.count(r.seq) ? " →" : ""),
        r.status && *r.status >= 400 ? kRed : nullptr);
    add(kUrl, "");
    t.urls.push_back({url_label(r, document), r.failure ? std::string(code_name(r.failure->code)) : ""});
    const auto bytes = transfer_bytes(r);
    // As DevTools says "(disk cache)": answered by the HTTP cache, nothing on the wire.
    if (r.from_cache) add(kSize, "(cache)", kDim);
    else add(kSize, bytes ? bytes_cell(*bytes) : "-");
    // Nothing went over any protocol for a response the cache answered: the version it was
    // stored with is in `show` and --json.
    if (r.from_cache) add(kHttp, "-", kDim);
    else add(kHttp, protocol(r.http_version));
    add(kConn, r.connection ? "#" + std::to_string(*r.connection) : "-");
    add(kStart, ms_figure(r.span.start_ms));
    for (int i = 0; i < kPhaseCount; ++i) {
      const PhaseRecord* p = r.phase(kPhases[i].phase);
      if (!p) add(kFirstPhase + i, "-", kDim);
      else add(kFirstPhase + i, ms_figure(p->span.duration_ms()), p->ok() ? nullptr : kRed);
    }
    add(kTotal, ms_figure(r.span.duration_ms()), request_failed(r) ? kRed : nullptr);
  }
  // A tunnel through a proxy is rare: its column only on pages that have one.
  Column& tunnel = t.columns[kFirstPhase + static_cast<int>(Phase::kTunnel)];
  tunnel.shown = tunnel.has_data = std::any_of(run.requests.begin(), run.requests.end(),
                                               [](const Request& r) { return r.phase(Phase::kTunnel) != nullptr; });
  Column& from = t.columns[kFrom];
  from.shown = std::any_of(from.cells.begin(), from.cells.end(), [](const Cell& c) { return !c.text.empty(); });
  // Runs stored before page loads have no priorities: no column of dashes.
  Column& priority = t.columns[kPriority];
  priority.shown = priority.has_data = std::any_of(priority.cells.begin(), priority.cells.end(), [](const Cell& c) { return c.text != "-"; });
  for (Column& c : t.columns) {
    c.width = display_width(c.title);
    for (const Cell& cell : c.cells) c.width = std::max(c.width, display_width(cell.text));
  }
  return t;
}

// Sizes the url column to what the others leave in `width`, leaving optional columns out
// (or, when even that is too little, moving the urls to lines of their own).
void fit(RequestTable& t, std::size_t width) {
  Column& url = t.columns[kUrl];
  std::size_t natural = display_width(url.title), least = kMinUrl, widest_suffix = 0;
  for (const UrlCell& u : t.urls) {
    const std::size_t suffix = u.failure.empty() ? 0 : display_width(u.failure) + 2;
    natural = std::max(natural, display_width(u.label) + suffix);
    least = std::max(least, suffix + kMinUrl / 2);  // a failure's class is never cut
    widest_suffix = std::max(widest_suffix, suffix);
  }
  auto used = [&] {  // by the shown columns but the url, with one space before each but the first
    std::size_t n = 0;
    for (const Column& c : t.columns)
      if (c.shown && !c.url) n += c.width + (&c == &t.columns[kSeq] ? 0 : 1);
    return n;
  };
  auto room = [&] { return width > used() + 1 ? width - used() - 1 : 0; };
  int dropped = 0;
  // Comfortable: kComfortableUrl of the label besides a failure's class (which takes its own
  // room: "t…used.test/  connect_refused" left the host unreadable).
  while (room() < std::min(natural, kComfortableUrl + widest_suffix) && dropped < kOptionalColumns) {
    ++dropped;
    for (Column& c : t.columns)
      if (c.drop == dropped) c.shown = false;
  }
  if (room() >= std::min(natural, kMinUrlOnLine)) {
    url.width = std::min(room(), natural);
    url.width = std::max(url.width, std::min(least, natural));
    return;
  }
  // Too narrow for the url on the line: it goes under the line, and the columns left out
  // for it come back where they fit.
  t.url_own_line = true;
  url.shown = false;
  for (; dropped > 0; --dropped)
    for (Column& c : t.columns)
      if (c.drop == dropped && c.has_data && used() + 1 + c.width <= width) c.shown = true;
}

// The url cell: the label cut to the column, a failure's class at its right end.
std::string url_cell(const UrlCell& u, std::size_t width, bool color) {
  if (u.failure.empty()) return fit_label(u.label, width);
  const std::size_t suffix = display_width(u.failure) + 2;
  const std::string label = fit_label(u.label, width > suffix ? width - suffix : 0);
  const std::size_t used = display_width(label) + display_width(u.failure);
  return label + std::string(width > used ? width - used : 2, ' ') + painted(u.failure, kRed, color);
}

}  // namespace

std::string format_request_table(const Run& run, const TableStyle& style) {
  if (run.requests.empty()) return "";
  const bool color = style.color;
  const std::size_t width = static_cast<std::size_t>(std::max(style.width, 0));
  RequestTable t = build_table(run);
  fit(t, width);
  const Column& seq = t.columns[kSeq];
  const Column& from = t.columns[kFrom];
  const std::size_t indent = seq.width + 1 + (from.shown ? from.width + 1 : 0);  // under the type

  std::ostringstream out;
  std::string header;
  for (const Column& c : t.columns)
    if (c.shown) header += (&c == &seq ? "" : " ") + pad(std::string(c.title), c.width, c.right);
  trim_right(header);
  out << painted(header, kDim, color) << "\n";

  // The rows: all of them, or the first max_rows and every failed one after them (up to
  // max_rows more).
  const std::size_t n = run.requests.size();
  std::vector<bool> shown(n, true);
  if (style.max_rows > 0 && n > style.max_rows) {
    std::size_t failed_after = 0;
    for (std::size_t i = style.max_rows; i < n; ++i)
      shown[i] = request_failed(run.requests[i]) && failed_after++ < style.max_rows;
  }

  // Notes, each printed once under the first shown request it belongs to, naming the others.
  struct Note {
    NoteText text;
    std::vector<int> seqs;
    bool placed = false;
  };
  std::vector<Note> notes;
  std::map<std::string, std::size_t> note_index;
  std::vector<std::vector<std::size_t>> notes_under(n);
  for (std::size_t i = 0; i < n; ++i)
    for (NoteText& note : request_notes(run, run.requests[i])) {
      auto [it, fresh] = note_index.emplace(note.text, notes.size());
      if (fresh) notes.push_back({std::move(note), {}});
      Note& entry = notes[it->second];
      entry.seqs.push_back(run.requests[i].seq);
      if (shown[i] && !entry.placed) {
        entry.placed = true;
        notes_under[i].push_back(it->second);
      }
    }

  std::size_t hidden = 0, hidden_failed = 0;  // rows left out since the last one printed
  auto print_hidden = [&](bool at_end) {
    if (hidden == 0) return;
    std::string line = std::string(indent, ' ') + "… " + std::to_string(hidden) + (hidden == 1 ? " more request" : " more requests");
    // Past the cap on failed rows, the ones left out may have failed too: say how many.
    if (hidden_failed > 0) line += " (" + std::to_string(hidden_failed) + " failed)";
    if (at_end) line += "; pageload show " + std::to_string(run.id) + " lists all " + std::to_string(n);
    out << painted(line, kDim, color) << "\n";
    hidden = hidden_failed = 0;
  };
  for (std::size_t i = 0; i < n; ++i) {
    if (!shown[i]) {
      ++hidden;
      if (request_failed(run.requests[i])) ++hidden_failed;
      continue;
    }
    print_hidden(false);
    std::string line;
    for (const Column& c : t.columns) {
      if (!c.shown) continue;
      if (&c != &seq) line += " ";
      if (c.url) line += pad(url_cell(t.urls[i], c.width, color), c.width, false);
      else line += painted(pad(c.cells[i].text, c.width, c.right), c.cells[i].color, color);
    }
    trim_right(line);
    out << line << "\n";
    if (t.url_own_line) {
      const std::size_t room = width > indent ? width - indent : kMinUrl;
      std::string own = url_cell(t.urls[i], std::max(room, kMinUrl), color);
      trim_right(own);
      out << std::string(indent, ' ') << own << "\n";
    }
    for (std::size_t n : notes_under[i]) {
      const Note& note = notes[n];
      out << std::string(indent, ' ')
          << painted(note.text.text + also_text(note.seqs, run.requests[i].seq), note.text.color, color) << "\n";
    }
  }
  print_hidden(true);
  return out.str();
}

}  // namespace pageload::cli
