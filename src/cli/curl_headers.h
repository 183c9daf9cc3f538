// The heads of the document's hops as curl prints them, from the recorded run (the
// headers as stored: redacted unless --keep-secrets): -i and -D write each response's
// status line and headers, -v both sides with curl's "> " and "< " prefixes. Every line
// ends in CRLF, as curl writes them; text from servers is made safe for a terminal.
// Pure.
#pragma once

#include <string>

#include "pageload/result.h"

namespace pageload::cli {

// -i, -I, -D: per hop, "HTTP/1.1 302 Found", its headers, an empty line, then the
// trailers of a chunked body (curl writes them where the body ends, with no empty line
// after them); through a proxy, the proxy's answer to the hop's CONNECT first ("HTTP/1.1
// 200 Connection established", or its 407 and Proxy-Authenticate), as curl prints it.
// `final_trailers` false leaves the last hop's trailers out, for -i -o FILE, which writes
// them after the body (document_trailers()).
std::string response_heads(const Run& run, bool final_trailers = true);
std::string document_trailers(const Run& run);
// -v: per hop, the CONNECT exchange that opened its tunnel if any ("> CONNECT host:443
// HTTP/1.1" ... "< HTTP/1.1 407 ..."), then "> GET /path HTTP/1.1" and the request
// headers sent, "> ", then "< HTTP/1.1 200 OK" and the response headers, "< " (no
// trailers: curl -v shows none); a hop that
// got no response says why on a "* " line, as curl's informational lines do; a hop the
// HTTP cache answered (nothing sent) says so on a "* " line instead of a request and a
// response.
std::string verbose_heads(const Run& run);

}  // namespace pageload::cli
