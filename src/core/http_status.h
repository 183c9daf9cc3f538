// The standard reason phrase of an HTTP status code, for showing a status whose response
// carried none (HTTP/2 and HTTP/3 send no reason phrase). The same phrases as the
// database's `status_codes` table (schema.sql); tests/store checks that they agree.
#pragma once

#include <string>
#include <string_view>

namespace pageload {

// The phrase schema.sql's status_codes gives `status` ("OK", "Not Found"); empty for a
// code it does not list.
std::string_view standard_reason(int status);

// A status as pageload shows it: "404 Not Found" with the server's own phrase; with none
// (HTTP/2 sends none) the standard phrase, marked as such: "200 OK (standard phrase;
// HTTP/2 sends none)"; the code alone when there is no standard phrase either. `reason`
// is the server's text as received: the caller escapes the result for its output.
std::string status_with_reason(int status, std::string_view reason, std::string_view http_version);

}  // namespace pageload
