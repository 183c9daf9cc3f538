// A document's character encoding, found as the HTML standard's encoding sniffing finds it
// (a byte order mark, the Content-Type's charset, a <meta> charset in the first 1024
// bytes, else the default, windows-1252, as Chromium with an English locale), and the two
// encodings pageload decodes: UTF-8 (as it is) and windows-1252 (and its labels
// iso-8859-1, us-ascii, latin1, ...), turned into UTF-8 for the parser. A document in any
// other encoding is read as UTF-8, with a note.
#pragma once

#include <string>
#include <string_view>

namespace pageload::page {

enum class Charset { kUtf8, kWindows1252, kOther };

struct Sniffed {
  Charset charset = Charset::kWindows1252;
  std::string label;  // as declared ("" for the default); "utf-8 (byte order mark)"
  std::string source; // "byte order mark", "Content-Type", "<meta>", "default"
};

// Which encoding a WHATWG label names (case-insensitive, white space trimmed).
Charset charset_of_label(std::string_view label);

// `head`: the document's first bytes (1024 are enough); `content_type`: the response's
// Content-Type header value.
Sniffed sniff_charset(std::string_view head, std::string_view content_type);

// windows-1252 bytes as UTF-8.
void append_windows1252_as_utf8(std::string& out, std::string_view bytes);

// A reference read from a windows-1252 document, with the non-ASCII characters of its
// query percent-encoded in windows-1252, as a browser encodes a query in the document's
// encoding (a character windows-1252 lacks as "&#N;", percent-encoded).
std::string query_in_windows1252(std::string_view ref);

}  // namespace pageload::page
