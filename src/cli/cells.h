// The pieces every table pageload prints is made of: figures, sizes, widths on a
// terminal, cutting, padding, colour. Formatting only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pageload/result.h"

namespace pageload::cli {

// Columns of a summary when standard output is not a terminal.
inline constexpr int kDefaultWidth = 120;

struct TableStyle {
  int width = kDefaultWidth;  // columns the lines should fit in
  bool color = false;         // ANSI colours
  std::size_t max_rows = 0;   // 0: every request
};

// ANSI colours, for painted().
inline constexpr const char* kRed = "\033[31m";
inline constexpr const char* kDim = "\033[2m";
inline constexpr const char* kReset = "\033[0m";

// A duration as every pageload output prints it: 0.20, 12.7, 251.3, 1042 (ms).
std::string ms_figure(double ms);
// A size for a table cell: 845B, 9.9K, 512K, 1.2M (K = 1024 bytes).
std::string bytes_cell(int64_t bytes);
// A size in text: 845 B, 9.9 KB, 512 KB, 1.2 MB.
std::string bytes_text(int64_t bytes);

// Columns `s` takes on a terminal: one per code point (safe() output is valid UTF-8).
std::size_t display_width(std::string_view s);
// `s` cut to `width` columns with "…" in the middle: its first `keep_head` columns (as
// long as 10 columns of its end still fit) and as much of its end as fits. Never cuts
// inside a character.
std::string cut_middle(std::string_view s, std::size_t width, std::size_t keep_head);
// `s` padded with spaces to `width` columns, on the left when `right` (numbers).
std::string pad(const std::string& s, std::size_t width, bool right);
// `s` in `color` when `on` (and both are non-empty).
std::string painted(const std::string& s, const char* color, bool on);
void trim_right(std::string& line);

// "HTTP/2" -> "h2", "HTTP/1.1" -> "1.1"; "-" when none.
std::string protocol(const std::string& http_version);
// Failed, or answered with a status of 400 or more: what the page's "failed" counts.
bool request_failed(const Request& r);
// Headers and body as received; nullopt when nothing was.
std::optional<int64_t> transfer_bytes(const Request& r);

}  // namespace pageload::cli
