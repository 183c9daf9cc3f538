#include "page/charset.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "core/text.h"

namespace pageload::page {
namespace {

// windows-1252's 0x80-0x9F (https://encoding.spec.whatwg.org/index-windows-1252.txt); the
// other bytes are their Latin-1 code points.
constexpr std::array<char16_t, 32> kHigh = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

constexpr std::string_view kWindows1252Labels[] = {
    "ansi_x3.4-1968", "ascii", "cp1252", "cp819", "csisolatin1", "ibm819", "iso-8859-1", "iso-ir-100",
    "iso8859-1", "iso88591", "iso_8859-1", "iso_8859-1:1987", "l1", "latin1", "us-ascii", "windows-1252",
    "x-cp1252"};
constexpr std::string_view kUtf8Labels[] = {"unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "utf-8",
                                            "utf8", "x-unicode20utf8"};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// The value after "charset" and '=' in `text` (HTML "extracting a character encoding
// from a meta element"), or "".
std::string charset_parameter(std::string_view text) {
  const std::string low = lower(text);
  for (std::size_t at = low.find("charset"); at != std::string::npos; at = low.find("charset", at + 7)) {
    std::size_t i = at + 7;
    while (i < low.size() && is_space(low[i])) ++i;
    if (i >= low.size() || low[i] != '=') continue;
    ++i;
    while (i < low.size() && is_space(low[i])) ++i;
    if (i >= low.size()) return {};
    if (low[i] == '"' || low[i] == '\'') {
      std::size_t end = low.find(low[i], i + 1);
      return end == std::string::npos ? std::string() : low.substr(i + 1, end - i - 1);
    }
    std::size_t end = i;
    while (end < low.size() && !is_space(low[end]) && low[end] != ';' && low[end] != '"' && low[end] != '\'') ++end;
    return low.substr(i, end - i);
  }
  return {};
}

// The charset a <meta charset> or <meta http-equiv=content-type content=...> in `head`
// declares (a light form of the standard's prescan: comments skipped, the first <meta>
// that declares one wins).
std::string meta_charset(std::string_view head) {
  const std::string low = lower(head);
  std::size_t i = 0;
  while ((i = low.find('<', i)) != std::string::npos) {
    if (low.compare(i, 4, "<!--") == 0) {
      std::size_t end = low.find("-->", i + 4);
      if (end == std::string::npos) return {};
      i = end + 3;
      continue;
    }
    std::size_t end = low.find('>', i);
    if (end == std::string::npos) return {};
    std::string_view tag = std::string_view(low).substr(i, end - i);
    i = end + 1;
    if (tag.substr(0, 5) != "<meta" || tag.size() < 6 || !is_space(tag[5])) continue;
    if (std::string label = charset_parameter(tag); !label.empty()) return label;
  }
  return {};
}


// One UTF-8 sequence at `i`: its code point and length, or length 0 when it is not one.
std::size_t decode_utf8(std::string_view s, std::size_t i, char32_t& cp) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  const std::size_t n = c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  cp = n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
  for (std::size_t k = 1; k < n; ++k) {
    const unsigned char d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3F);
  }
  return n;
}

}  // namespace

Charset charset_of_label(std::string_view label) {
  const std::string l = lower(trim(label));
  if (std::find(std::begin(kUtf8Labels), std::end(kUtf8Labels), l) != std::end(kUtf8Labels)) return Charset::kUtf8;
  if (std::find(std::begin(kWindows1252Labels), std::end(kWindows1252Labels), l) != std::end(kWindows1252Labels))
    return Charset::kWindows1252;
  return Charset::kOther;
}

Sniffed sniff_charset(std::string_view head, std::string_view content_type) {
  if (head.substr(0, 3) == "\xEF\xBB\xBF") return {Charset::kUtf8, "utf-8", "byte order mark"};
  if (head.substr(0, 2) == "\xFE\xFF" || head.substr(0, 2) == "\xFF\xFE")
    return {Charset::kOther, "utf-16", "byte order mark"};
  std::string label = charset_parameter(content_type.substr(std::min(content_type.find(';'), content_type.size())));
  if (!label.empty() && charset_of_label(label) != Charset::kOther) return {charset_of_label(label), label, "Content-Type"};
  std::string meta = meta_charset(head.substr(0, 1024));
  // A <meta> naming UTF-16 means UTF-8 (the document is evidently ASCII-compatible).
  if (meta == "utf-16" || meta == "utf-16le" || meta == "utf-16be") meta = "utf-8";
  if (!meta.empty()) return {charset_of_label(meta), meta, "<meta>"};
  if (!label.empty()) return {Charset::kOther, label, "Content-Type"};
  return {Charset::kWindows1252, "", "default"};
}

void append_windows1252_as_utf8(std::string& out, std::string_view bytes) {
  for (char ch : bytes) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x80) out += ch;
    else append_utf8(out, c < 0xA0 ? kHigh[c - 0x80] : c);
  }
}

std::string query_in_windows1252(std::string_view ref) {
  const std::size_t query = ref.find('?');
  if (query == std::string_view::npos) return std::string(ref);
  const std::size_t end = std::min(ref.find('#', query), ref.size());
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out(ref.substr(0, query + 1));
  auto percent = [&](unsigned char b) {
    out += '%';
    out += kHex[b >> 4];
    out += kHex[b & 15];
  };
  for (std::size_t i = query + 1; i < end;) {
    const unsigned char c = static_cast<unsigned char>(ref[i]);
    char32_t cp = 0;
    const std::size_t n = c < 0x80 ? 0 : decode_utf8(ref, i, cp);
    if (n == 0) {
      out += ref[i++];
      continue;
    }
    i += n;
    int byte = cp >= 0xA0 && cp <= 0xFF ? static_cast<int>(cp) : -1;
    for (std::size_t k = 0; k < kHigh.size() && byte < 0; ++k)
      if (kHigh[k] == cp) byte = static_cast<int>(0x80 + k);
    if (byte >= 0) {
      percent(static_cast<unsigned char>(byte));
    } else {
      for (char d : "%26%23" + std::to_string(static_cast<std::uint32_t>(cp)) + "%3B") out += d;
    }
  }
  out.append(ref.substr(end));
  return out;
}

}  // namespace pageload::page
