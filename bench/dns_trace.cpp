// DNS trace (--dns-trace): the walk from the lab's root, each load a fresh pageload
// process. Step times against the delay the lab's slow authoritative server injects
// (ground truth), and the whole traced lookup (the dns phase) against the sum of its
// steps: what pageload's own work between steps adds.
#include <cmath>
#include <stdexcept>

#include "loads.h"

namespace bench {
namespace {

// `family` is "-4", or "" for A and AAAA.
std::vector<std::string> trace_argv(Context& ctx, const std::string& host, const std::string& family,
                                    const std::string& db) {
  std::vector<std::string> argv{ctx.pageload, "run", ctx.lab->http_url(host, "/"), "--db", db, "--dns-trace",
                                "--dns-root", ctx.lab->dns_root(), "--json", "--no-html"};
  if (!family.empty()) argv.push_back(family);
  return argv;
}

// The first hop's lookup of a traced load; throws when the load did not succeed.
nlohmann::json traced_lookup(Context& ctx, const std::string& host, const std::string& family, const std::string& db) {
  ProcResult r = run_process(trace_argv(ctx, host, family, db));
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  if (j.is_discarded() || j["outcome"] != "ok" || j["dns_lookups"].empty())
    throw std::runtime_error("pageload --dns-trace failed on " + host + " (exit " + std::to_string(r.exit_code) +
                             "): " + r.out.substr(0, 300));
  const auto& lookup = j["dns_lookups"][0];
  if (lookup["source"] != "trace" || lookup["steps"].empty())
    throw std::runtime_error("pageload --dns-trace did not walk " + host);
  return lookup;
}

std::string ms_or_dash(double v) { return std::isnan(v) ? "-" : fmt(v); }

Table step_fidelity(Context& ctx, int n) {
  Table t;
  t.section = "dns-trace-steps";
  t.title = "DNS trace steps: measured minus injected (ms)";
  t.notes = {
      std::to_string(n) + " loads per case, `pageload run --dns-trace --dns-root " + ctx.lab->dns_root() +
          " -4 http://delay-N.slow.test:PORT/`, each a fresh process. The walk is root (127.0.0.53) -> test. TLD "
          "(127.0.0.54) -> slow.test (127.0.0.57), which delays its reply by N ms.",
      "Error = the slow server's step − N. Root and TLD: those steps' own medians (nothing injected). Goal: the "
      "slow step's median error ≤ 1 ms and p95 ≤ 3 ms.",
  };
  t.columns = {"case", "n", "root step median", "TLD step median", "slow step median", "error median", "error p95",
               "error max", "goal"};
  const std::string db = ctx.tmp("dns-trace.db");
  for (int delay : {0, 20, 100}) {
    std::vector<double> root, tld, slow, error;
    for (int i = 0; i < n; ++i) {
      auto lookup = traced_lookup(ctx, "delay-" + std::to_string(delay) + ".slow.test", "-4", db);
      for (const auto& s : lookup["steps"]) {
        const double ms = s["ms"].get<double>();
        if (s["zone"] == ".") root.push_back(ms);
        else if (s["zone"] == "test") tld.push_back(ms);
        else if (s["zone"] == "slow.test") slow.push_back(ms), error.push_back(ms - delay);
      }
    }
    if (error.empty()) throw std::runtime_error("no slow.test step measured");
    const double med = median(error), p95 = percentile(error, 95);
    t.add({"slow server +" + std::to_string(delay) + " ms", std::to_string(error.size()), fmt(median(root)),
           fmt(median(tld)), fmt(median(slow)), fmt(med), fmt(p95), fmt(max_of(error)),
           std::fabs(med) <= 1 && p95 <= 3 ? "met" : "missed"});
  }
  return t;
}

Table whole_against_steps(Context& ctx, int n) {
  Table t;
  t.section = "dns-trace-sum";
  t.title = "DNS trace lookups: the whole lookup against the sum of its steps (ms)";
  t.notes = {
      std::to_string(n) + " loads per case, each a fresh process. `lookup` is the dns phase (the traced lookup's "
      "span); `sum` adds the durations of its steps. Under -4 one walk sends its steps one after another, so "
      "lookup − sum is pageload's own time between them: reading a reply, choosing the next server, setting up a "
      "c-ares channel for a server not asked before (which reads resolv.conf), and being scheduled.",
      "With A and AAAA (no -4) the two walks run side by side: the sum counts both, the lookup lasts as long as "
      "the slower one. Goal (under -4): lookup − sum ≤ 0.25 ms per step, median.",
  };
  t.columns = {"case", "family", "n", "steps", "lookup median", "sum median", "lookup − sum median",
               "lookup − sum p95", "per step median", "goal"};
  const std::string db = ctx.tmp("dns-trace.db");
  struct Case {
    std::string name, host, family;
  };
  const std::vector<Case> cases{
      {"glue all the way", "www.shop.test", "-4"},
      {"delegation without glue", "www.noglue.test", "-4"},
      {"CNAME into another zone", "www.cname.test", "-4"},
      {"lame server, then the next", "www.lame.test", "-4"},
      {"CNAME chain across 3 zones", "hop-3.chain.test", "-4"},
      {"slow server +100 ms", "delay-100.slow.test", "-4"},
      {"glue all the way, A and AAAA", "www.shop.test", ""},
  };
  for (const auto& c : cases) {
    std::vector<double> lookups, sums, gaps, per_step;
    std::size_t steps = 0;
    const bool both = c.family.empty();
    for (int i = 0; i < n; ++i) {
      auto lookup = traced_lookup(ctx, c.host, c.family, db);
      double sum = 0;
      for (const auto& s : lookup["steps"]) sum += s["ms"].get<double>();
      const double whole = lookup["span"]["ms"].get<double>();
      steps = lookup["steps"].size();
      lookups.push_back(whole);
      sums.push_back(sum);
      gaps.push_back(whole - sum);
      per_step.push_back((whole - sum) / static_cast<double>(steps));
    }
    const bool judged = !both;
    t.add({c.name + " (" + c.host + ")", both ? "A+AAAA" : "A", std::to_string(n), std::to_string(steps),
           fmt(median(lookups)), fmt(median(sums)), fmt(median(gaps)), fmt(percentile(gaps, 95)),
           ms_or_dash(judged ? median(per_step) : NAN),
           judged ? (median(per_step) <= 0.25 ? "met" : "missed") : "-"});
  }
  return t;
}

}  // namespace

std::vector<Table> bench_dns_trace(Context& ctx) {
  // The smoke run (--quick) only proves the walk is measured: one load a case keeps
  // bench_smoke inside its 60 s on a loaded machine.
  const int n = ctx.loads(20, 1);
  return {step_fidelity(ctx, n), whole_against_steps(ctx, n)};
}

}  // namespace bench
