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

// URL passwords. Anything URL-like has its password replaced ("http://user:secret@host/"
// -> "http://user:[redacted]@host/"); the user name stays, as it names the account and
// helps diagnosis. Text need not parse as a URL: the userinfo is found where a browser
// would look for it, after "//" (or "\\", "/\"), after "scheme:/" and after "scheme:",
// and also after a single '/' (a path segment "/u:x@h", which is what "http:/u:x@h"
// becomes against an http: base), up to the last '@' before the authority ends at '/',
// '\', '?' or '#'; its password is everything after its first ':'. So "//bob:x@h",
// "http:/erin:x@h", "http://base/erin:x@h", "http://mo:x@h:99999/" and
// "http://g:x@[::bad/" are all redacted. Over-redaction (a "//" or "/a:b@c" inside a
// path) is accepted; a leak is not. Anything without a password comes
// back unchanged, and redacting twice changes nothing more.
//
// redact_url: `url` is one URL (a Location, a request URL): white space is part of it,
// as a browser would percent-encode it.
// A proxy as -x takes it: a URL, or curl's scheme-less [USER[:PASSWORD]@]HOST[:PORT]
// (read as http://), its password redacted either way.
std::string redact_proxy(std::string_view proxy);
std::string redact_url(std::string_view url);
// redact_text: free text (an error message, a warning) that may quote URLs. White space
// ends an authority, unless the URL-like part is quoted ('...', "..." or <...>).
std::string redact_text(std::string_view text);

// Redacts every secret of a finished (or starting) run in place, before it is stored or
// shown: secret header values (redact_value), and URL passwords (redact_url or
// redact_text) in every string a server or the user could have put one in: URLs,
// Locations, header values, reasons, warnings, error messages, certificate names, the
// label. The loader applies it unless --keep-secrets.
void redact_run(Run& run);

bool iequals(std::string_view a, std::string_view b);

}  // namespace pageload
