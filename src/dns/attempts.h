// The tries of one query, as the messages on the wire tell them: each message sent to a
// server opens a DnsAttempt, and a reply, a socket error or the resolver moving on
// closes it. Pure (times are passed in), so the rules are tested without a network.
//
// The rules follow c-ares 1.18: a query sends its next message only after the previous
// one failed or timed out, so a message sent while an earlier one is still open means
// that one timed out; a socket error on a server ends every message waiting on it (c-ares
// then moves all of them to the next server); a late reply still counts for the message
// it answers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pageload/result.h"

namespace pageload::dns {

inline constexpr std::string_view kAttemptTimeout = "TIMEOUT";
inline constexpr std::string_view kAttemptUnreachable = "UNREACHABLE";
inline constexpr std::string_view kAttemptError = "ERROR";
inline constexpr std::string_view kAttemptTruncated = "TRUNCATED";  // as reply_outcome says

// A message of the query went to `server` at now_ms: open attempts become TIMEOUT at
// now_ms, and a new open attempt is appended.
void attempt_sent(std::vector<DnsAttempt>& attempts, const std::string& server, double now_ms);

// A reply from `server` arrived at now_ms with `outcome` (see reply_outcome): it closes the
// earliest attempt to that server that has no reply yet (open, or closed as TIMEOUT: a
// late reply). A retransmit carries the same message id as the first try, so which of
// two tries to one server a reply answers cannot be told; the earliest is right for a
// slow server (replies come in order), wrong by one when the first message was lost.
// False when no attempt to that server waits for one (the reply is not ours).
bool attempt_replied(std::vector<DnsAttempt>& attempts, const std::string& server,
                     std::string_view outcome, double now_ms);

// The socket to `server` failed at now_ms (`outcome` UNREACHABLE or ERROR): every open
// attempt to it ends so.
void server_failed(std::vector<DnsAttempt>& attempts, const std::string& server,
                   std::string_view outcome, double now_ms);

// True for an outcome that is a server's reply deciding the query: not TIMEOUT,
// UNREACHABLE, ERROR, TRUNCATED (asked again over TCP) or empty.
bool is_reply_outcome(std::string_view outcome);

// The server whose reply decided the query: that of the attempt with a reply outcome that
// came last; empty when none did.
std::string answering_server(const std::vector<DnsAttempt>& attempts);

// The query ended at now_ms without a reply deciding it (c-ares gave up, or the lookup was
// abandoned at --max-time): open attempts end with `outcome` (TIMEOUT or ERROR).
void close_open_attempts(std::vector<DnsAttempt>& attempts, std::string_view outcome, double now_ms);

}  // namespace pageload::dns
