#include "cli/trace_output.h"

#include <algorithm>
#include <sstream>

#include "cli/output.h"
#include "cli/safe.h"

namespace pageload::cli {
namespace {

std::string join(const std::vector<std::string>& items, const char* sep = ", ") {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + safe(i, 80);
  return out;
}

// Columns on a terminal: UTF-8 continuation bytes take none ("↳" is three bytes, one column).
std::size_t columns(const std::string& text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
}

bool failed(const DnsStep& s) { return s.kind == "error" || s.kind == "timeout"; }

}  // namespace

std::string format_walk_summary(const DnsLookup& lookup, bool color) {
  if (lookup.steps.empty()) return "";
  const char* dim = color ? "\033[2m" : "";
  const char* red = color ? "\033[31m" : "";
  const char* reset = color ? "\033[0m" : "";
  // Columns: the walk (A or AAAA) the step served; the name asked when it is not the
  // host's own (a CNAME's target; "↳ NAME (A)" for the address of a name server given
  // without glue, indented by how deep such lookups nest); the server; the zone it was
  // asked as; then what came of it.
  auto walk_type = [&](const DnsStep& s) {
    return s.query >= 0 && static_cast<std::size_t>(s.query) < lookup.queries.size() ? lookup.queries[s.query].type
                                                                                      : s.qtype;
  };
  auto asked = [&](const DnsStep& s) {
    if (s.depth > 0) return "↳ " + safe(s.qname, 60) + " (" + s.qtype + ")";
    return s.qname != lookup.host ? safe(s.qname, 60) : std::string();
  };
  auto server = [](const DnsStep& s) { return s.server.empty() ? std::string("(no query)") : "@" + safe(s.server, 60); };
  std::size_t name_width = 0, server_width = 0, zone_width = 0;
  for (const auto& s : lookup.steps) {
    name_width = std::max(name_width, columns(asked(s)) + 2 * static_cast<std::size_t>(std::max(s.depth - 1, 0)));
    server_width = std::max(server_width, columns(server(s)));
    zone_width = std::max(zone_width, std::min<std::size_t>(columns(safe(s.zone, 60)), 24));
  }
  auto pad = [](std::string text, std::size_t width) {
    const std::size_t used = columns(text);
    if (used < width) text.append(width - used, ' ');
    return text;
  };
  std::ostringstream out;
  out << "   " << dim << "dns walk from the root (--dns-trace): " << lookup.steps.size()
      << (lookup.steps.size() == 1 ? " step" : " steps") << ", each an iterative query (RD=0) a resolver would send"
      << reset << "\n";
  for (const auto& s : lookup.steps) {
    const std::string indent(2 * static_cast<std::size_t>(s.depth > 0 ? s.depth - 1 : 0), ' ');
    out << "     " << (failed(s) ? red : "") << pad(s.server.empty() ? "-" : ms_text(s.span.duration_ms()), 9) << " "
        << pad(walk_type(s), 5) << (name_width ? pad(indent + asked(s), name_width) + " " : "")
        << pad(server(s), server_width) << " " << pad(safe(s.zone, 60), zone_width) << " → "
        << safe(s.result_text(), 200) << (failed(s) ? reset : "") << "\n";
  }
  return out.str();
}

std::string format_walk_show(const DnsLookup& lookup) {
  if (lookup.steps.empty()) return "";
  std::ostringstream out;
  out << "    walk from the root: " << lookup.steps.size() << " steps (iterative queries, RD=0)\n";
  for (std::size_t i = 0; i < lookup.steps.size(); ++i) {
    const DnsStep& s = lookup.steps[i];
    out << "      step " << i << " " << std::string(2 * static_cast<std::size_t>(s.depth), ' ') << s.qtype << " "
        << safe(s.qname) << " ";
    if (s.server.empty()) out << "(no query sent)";
    else out << "@" << safe(s.server) << (s.server_name.empty() ? "" : " " + safe(s.server_name));
    out << " as " << safe(s.zone) << ", at " << ms_text(s.span.start_ms) << " for " << ms_text(s.span.duration_ms())
        << ": " << s.kind << (s.rcode.empty() ? "" : " " + s.rcode) << (s.authoritative ? " aa" : "") << "\n";
    if (!s.ns.empty()) out << "        ns " << join(s.ns) << " for " << safe(s.referral_zone) << "\n";
    for (const auto& g : s.glue) out << "        glue " << safe(g.name) << " " << g.type << " " << safe(g.value) << "\n";
    for (const auto& r : s.records)
      out << "        " << r.type << " " << safe(r.name) << " -> " << safe(r.value) << " ttl " << r.ttl << "\n";
    if (s.failure) out << "        " << code_name(s.failure->code) << ": " << safe(s.failure->message, kFailureText) << "\n";
  }
  return out.str();
}

nlohmann::json walk_json(const DnsLookup& lookup) {
  using nlohmann::json;
  auto text = [](const std::string& v) { return v.empty() ? json(nullptr) : json(v); };
  auto records = [](const std::vector<DnsAnswer>& rs) {
    json a = json::array();
    for (const auto& r : rs) a.push_back({{"type", r.type}, {"name", r.name}, {"value", r.value}, {"ttl", r.ttl}});
    return a;
  };
  json steps = json::array();
  for (std::size_t i = 0; i < lookup.steps.size(); ++i) {
    const DnsStep& s = lookup.steps[i];
    const bool replied = !s.rcode.empty();
    steps.push_back({
        {"seq", i},
        {"query", s.query < static_cast<int>(lookup.queries.size()) ? json(lookup.queries[s.query].type) : json(nullptr)},
        {"depth", s.depth},
        {"server", text(s.server)},
        {"server_name", text(s.server_name)},
        {"zone", s.zone},
        {"qname", s.qname},
        {"qtype", s.qtype},
        {"start_ms", s.span.start_ms},
        {"end_ms", s.span.end_ms},
        {"ms", s.span.duration_ms()},
        {"rcode", text(s.rcode)},
        {"aa", replied ? json(s.authoritative) : json(nullptr)},
        {"kind", s.kind},
        {"referral_zone", text(s.referral_zone)},
        {"ns", s.ns},
        {"glue", records(s.glue)},
        {"records", records(s.records)},
        {"error", s.failure ? json{{"class", code_name(s.failure->code)}, {"message", s.failure->message}} : json(nullptr)},
    });
  }
  return steps;
}

}  // namespace pageload::cli
