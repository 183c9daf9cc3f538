#pragma once
// Reading a HAR's values, and the custom fields that carry more than HAR 1.2 does: pageload's
// own (`_error` as {phase, class, message}, `_dns`, `_tls`, written by har_export.cpp) and the
// browsers' (Chrome's `_error` "net::ERR_*", Playwright's and DevTools' `_securityDetails`).
// What a field does not say stays absent: nothing is invented.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "pageload/result.h"

namespace pageload::har {

using nlohmann::json;

// j[key] when j is an object and it is a string / a finite number / there; else "", nullopt,
// null. Never throw, whatever a stranger's file holds.
std::string str(const json& j, const char* key);
std::optional<double> num(const json& j, const char* key);
const json& obj(const json& j, const char* key);

struct ErrorField {
  Failure failure;
  Phase phase = Phase::kWait;
};

// A failed request's error: pageload's `_error` object (its class and phase as written),
// or a browser's net error name ("net::ERR_NAME_NOT_RESOLVED" -> dns_nxdomain in dns; an
// empty one is recv_error). nullopt when `error` is neither a string nor an object.
std::optional<ErrorField> read_error(const json& error);

// pageload's `_dns`: the lookup as it was exported, its span `span` (the request's dns phase).
// nullopt when `dns` is not an object naming a host.
std::optional<DnsLookup> read_dns(const json& dns, Span span);

// pageload's `_tls` onto the connection that made the handshake. False when `tls` is not an
// object naming a version.
bool read_tls(const json& tls, Connection& connection);

// Playwright's and DevTools' `_securityDetails` ({protocol, cipher, subjectName, issuer,
// validFrom, validTo (seconds since the epoch), sanList}) onto the connection. The browser
// records no verify result: `verified` says it accepted the certificate (`answered`: the
// request got a response), with a message saying so. False when it is not an object
// naming a protocol.
bool read_security_details(const json& details, bool answered, Connection& connection);

}  // namespace pageload::har
