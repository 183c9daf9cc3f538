#include "loads.h"

#include <cmath>
#include <stdexcept>

namespace bench {

std::vector<std::string> pageload_argv(Context& ctx, const LoadSpec& spec, const std::string& db) {
  std::vector<std::string> argv{ctx.pageload, "run", spec.url, "--db", db};
  if (spec.use_dns) {
    argv.insert(argv.end(), {"--dns-server", ctx.lab->dns_server()});
  } else {
    argv.insert(argv.end(), {"--resolve", ctx.resolve(spec.host, spec.port)});
  }
  if (spec.https) argv.insert(argv.end(), {"--cacert", ctx.lab->ca_file()});
  return argv;
}

nlohmann::json pageload_json(Context& ctx, const LoadSpec& spec, const std::string& db, ProcResult* proc) {
  auto argv = pageload_argv(ctx, spec, db);
  argv.insert(argv.end(), {"--json", "--no-html"});
  ProcResult r = run_process(argv);
  if (proc) *proc = r;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  if (j.is_discarded() || !j.contains("requests") || j["outcome"] != "ok")
    throw std::runtime_error("pageload failed on " + spec.url + " (exit " + std::to_string(r.exit_code) +
                             "): " + r.out.substr(0, 300));
  return j;
}

std::vector<std::string> curl_argv(Context& ctx, const LoadSpec& spec, bool write_out) {
  std::vector<std::string> argv{ctx.curl, "-s", "-o", "/dev/null", "--resolve", ctx.resolve(spec.host, spec.port)};
  if (spec.https) argv.insert(argv.end(), {"--cacert", ctx.lab->ca_file()});
  if (spec.follow) argv.push_back("-L");
  if (write_out) argv.insert(argv.end(), {"-w", kCurlWriteOut});
  argv.push_back(spec.url);
  return argv;
}

CurlTimes curl_times(Context& ctx, const LoadSpec& spec, ProcResult* proc) {
  ProcResult r = run_process(curl_argv(ctx, spec, true));
  if (proc) *proc = r;
  auto t = parse_curl_times(r.out);
  if (r.exit_code != 0 || !t || t->status >= 400 || t->status == 0)
    throw std::runtime_error("curl failed on " + spec.url + " (exit " + std::to_string(r.exit_code) + "): " + r.out);
  return *t;
}

double phase_ms(const nlohmann::json& run, const std::string& phase, size_t seq) {
  const auto& requests = run.at("requests");
  if (seq >= requests.size()) return NAN;
  const auto& phases = requests[seq].at("phases");
  if (!phases.contains(phase)) return NAN;
  return phases[phase].at("ms").get<double>();
}

}  // namespace bench
