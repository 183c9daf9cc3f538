#include "dns/attempts.h"

namespace pageload::dns {
namespace {

bool is_open(const DnsAttempt& a) { return !a.end_ms; }

void close(DnsAttempt& a, std::string_view outcome, double now_ms) {
  a.end_ms = now_ms;
  a.outcome = std::string(outcome);
}

}  // namespace

void attempt_sent(std::vector<DnsAttempt>& attempts, const std::string& server, double now_ms) {
  close_open_attempts(attempts, kAttemptTimeout, now_ms);
  attempts.push_back(DnsAttempt{server, now_ms, std::nullopt, ""});
}

bool attempt_replied(std::vector<DnsAttempt>& attempts, const std::string& server,
                     std::string_view outcome, double now_ms) {
  for (auto& a : attempts) {
    if (a.server != server) continue;
    if (!is_open(a) && a.outcome != kAttemptTimeout) continue;
    close(a, outcome, now_ms);
    return true;
  }
  return false;
}

bool is_reply_outcome(std::string_view outcome) {
  return !outcome.empty() && outcome != kAttemptTimeout && outcome != kAttemptUnreachable &&
         outcome != kAttemptError && outcome != kAttemptTruncated;
}

std::string answering_server(const std::vector<DnsAttempt>& attempts) {
  const DnsAttempt* last = nullptr;
  for (const auto& a : attempts)
    if (is_reply_outcome(a.outcome) && a.end_ms && (!last || *a.end_ms >= *last->end_ms)) last = &a;
  return last ? last->server : "";
}

void server_failed(std::vector<DnsAttempt>& attempts, const std::string& server,
                   std::string_view outcome, double now_ms) {
  for (auto& a : attempts)
    if (is_open(a) && a.server == server) close(a, outcome, now_ms);
}

void close_open_attempts(std::vector<DnsAttempt>& attempts, std::string_view outcome, double now_ms) {
  for (auto& a : attempts)
    if (is_open(a)) close(a, outcome, now_ms);
}

}  // namespace pageload::dns
