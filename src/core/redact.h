// Which header values are secrets, and how they look once redacted. Applied by the
// loader before a result leaves it, so the database, terminal, JSON and report all
// see the same redacted value unless the user asked for --keep-secrets.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pageload/result.h"

namespace pageload {

inline constexpr std::string_view kRedacted = "[redacted]";

// Authorization, Proxy-Authorization, Cookie, Set-Cookie (case-insensitive).
bool is_secret_header(std::string_view name);

// Replaces the values of secret headers. For Set-Cookie and Cookie the cookie names
// stay visible ("session=[redacted]; Path=/" keeps its attributes) because the names
// help diagnosis and are not the secret.
void redact_headers(std::vector<Header>& headers);
std::string redact_value(std::string_view name, std::string_view value);

// A URL's password ("http://user:secret@host/" -> "http://user:[redacted]@host/"); the
// user name stays, as it names the account and helps diagnosis. Anything without a
// password comes back unchanged.
std::string redact_url(std::string_view url);

bool iequals(std::string_view a, std::string_view b);

}  // namespace pageload
