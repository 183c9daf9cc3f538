// Number and text formatting for the report: the only place that decides how a
// duration, a size or a percentage is spelled, and how an untrusted string is made
// safe to hand to the template (valid UTF-8, no control characters). HTML escaping
// itself is the template engine's job; these functions never produce markup.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pageload/result.h"

namespace pageload::report {

// A CSS percentage to three decimals, exact and diffable, without trailing zeros (a
// 1,000-row page has 7,000 of them): "12.345", "0.2", "100".
std::string format_pct(double pct);

// A share for people, one decimal: "5.9%".
std::string format_share(double pct);

// A duration for people: "0.42 ms", "12.3 ms", "1234 ms".
std::string format_ms(double ms);

// An axis tick's number, as many decimals as the step needs: "0.5", "20".
std::string format_tick(double ms, double step_ms);

// A byte count: "512 B", "12.3 KiB", "4.5 MiB".
std::string format_bytes(int64_t bytes);

// An address and port as people write them: "127.0.0.1:443", "[::1]:443"; "—" when
// there is no address.
std::string format_endpoint(const std::string& ip, int port);

// A host as a row names it: "a.test", "[::1]", with ":port" only when it is not the
// scheme's own (80 for http, 443 for https).
std::string format_host(const std::string& scheme, const std::string& host, int port);

// Makes a string from the network or the user safe to display: invalid UTF-8 bytes and
// C0 control characters (except tab) become U+FFFD; newlines become spaces unless
// `keep_newlines`; C1 controls and the bidirectional formatting characters (U+202E...)
// are shown escaped, "\u{202e}", as the terminal shows them (core/text.h). The result
// still needs HTML escaping for its context.
std::string clean_text(std::string_view in, bool keep_newlines = false);

// A run's place in its group, as WebPageTest names a run ("Run 1, Repeat View"):
// "repeat view of group 3, run 1", "first view of group 3, run 2"; "" for a run made
// alone. The summary line, `show`, `list` and the report say it in these words.
std::string group_place(const Run& run);
std::string group_place(std::optional<int64_t> group_id, std::optional<RunView> view, std::optional<int> run_number);

}  // namespace pageload::report
