#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "harness.h"

namespace bench {

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

double max_of(const std::vector<double>& v) { return v.empty() ? NAN : *std::max_element(v.begin(), v.end()); }

std::string fmt(double v, int decimals) {
  if (std::isnan(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::optional<CurlTimes> parse_curl_times(const std::string& out) {
  std::istringstream in(out);
  CurlTimes t;
  if (!(in >> t.namelookup >> t.connect >> t.appconnect >> t.pretransfer >> t.starttransfer >> t.total >> t.status))
    return std::nullopt;
  return t;
}

}  // namespace bench
