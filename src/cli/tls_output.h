// How the terminal and --json show a connection's TLS handshake step by step: one compact
// line under a new connection's phases, the messages with their times in `show`, and the
// JSON fields (named as the database's columns). Formatting only; the words come from
// core/tls_handshake.h, shared with the report.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "pageload/result.h"

namespace pageload::cli {

// "TLSv1.3 full handshake, 1 round trip: → ClientHello ← ServerHello ... → Finished"; empty
// when the connection has no TLS steps. Server text never appears in it.
std::string tls_summary_line(const Connection& c);

// `show`'s handshake section: the brief, each step with its time on the run clock and
// from the first step, its direction and size, then the round trips and resumption in
// words. Each line starts with two spaces and ends with "\n"; empty without TLS steps.
std::string tls_show_lines(const Connection& c);

// tls_steps (array of {direction, message, bytes, at_ms, alert, fatal, after_handshake}),
// tls_round_trips, tls_session_offered, tls_resumed, added to a connection's object.
void add_tls_json(const Connection& c, nlohmann::json& connection);

}  // namespace pageload::cli
