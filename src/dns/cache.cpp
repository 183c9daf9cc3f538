#include "dns/cache.h"

#include <algorithm>

#include "dns/outcome.h"

namespace pageload::dns {
namespace {

std::string lower(const std::string& s) {
  std::string out = s;
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

uint32_t cache_ttl(uint32_t ttl) { return ttl > kMaxTtl ? 0 : ttl; }

void DnsCache::put(const DnsLookup& lookup, double now_ms) {
  if (lookup.source == "cache" || lookup.outcome != kNoError || lookup.failure ||
      lookup.addresses().empty())
    return;
  uint32_t min_ttl = UINT32_MAX;
  for (const auto& a : lookup.answers) min_ttl = std::min(min_ttl, cache_ttl(a.ttl));
  if (min_ttl == 0) return;
  entries_[{lower(lookup.host), lookup.family}] =
      Entry{lookup, now_ms, now_ms + static_cast<double>(min_ttl) * 1000.0};
}

std::optional<DnsLookup> DnsCache::get(const std::string& host, int family, double now_ms) const {
  auto it = entries_.find({lower(host), family});
  if (it == entries_.end() || now_ms >= it->second.expires_ms) return std::nullopt;
  DnsLookup copy = it->second.lookup;
  copy.host = host;
  copy.source = "cache";
  copy.span = Span{now_ms, now_ms};
  copy.queries.clear();
  copy.steps.clear();  // a walk's steps were sent for the first lookup, not for this one
  const auto elapsed_s = static_cast<uint32_t>((now_ms - it->second.stored_ms) / 1000.0);
  for (auto& a : copy.answers) a.ttl = cache_ttl(a.ttl) > elapsed_s ? cache_ttl(a.ttl) - elapsed_s : 0;
  return copy;
}

}  // namespace pageload::dns
