// Running one load with pageload or curl and reading back what each measured.
#pragma once

#include <nlohmann/json.hpp>

#include "harness.h"

namespace bench {

struct LoadSpec {
  std::string url;
  std::string host;         // for --resolve
  int port = 0;
  bool https = false;
  bool use_dns = false;     // pageload asks the lab's DNS instead of --resolve
  bool follow = false;      // curl -L (pageload always follows)
};

// `pageload run --json --no-html` (or with extra args); throws if the output is not a run.
nlohmann::json pageload_json(Context& ctx, const LoadSpec& spec, const std::string& db, ProcResult* proc = nullptr);
// The argv of a pageload load (without --json/--no-html; callers add their output flags).
std::vector<std::string> pageload_argv(Context& ctx, const LoadSpec& spec, const std::string& db);
// The argv of `curl -s -o /dev/null --resolve ... [-L] [-w times] URL`.
std::vector<std::string> curl_argv(Context& ctx, const LoadSpec& spec, bool write_out);
CurlTimes curl_times(Context& ctx, const LoadSpec& spec, ProcResult* proc = nullptr);

// A phase's duration in ms on hop `seq`, or NaN when the hop lacks it.
double phase_ms(const nlohmann::json& run, const std::string& phase, size_t seq = 0);

}  // namespace bench
