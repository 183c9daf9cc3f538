// The stops of `pageload demo`: each a real load against the in-process lab, with a title
// saying what it shows and, for the page loads, one line saying where to look in its
// report, written from the run itself (which rows, which connection, what they took).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lab/lab.h"
#include "pageload/options.h"
#include "pageload/result.h"

namespace pageload::cli {

struct TourStop {
  std::string title;  // what this load shows
  LoadOptions options;
  // One line on what to look at in the stop's report, from the finished run and the
  // report path of the stop `beside` names; empty function: the summary says it all.
  std::function<std::string(const Run&, const std::string& beside_report)> look;
  // An earlier stop (its index in the tour) whose report is to be opened beside this one.
  std::optional<std::size_t> beside;
};

// The whole tour, in order: redirects, DNS, TLS, then whole pages.
std::vector<TourStop> tour(const lab::Lab& lab);

// The look lines, for tests (each takes a finished page run of the lab page it names).
std::string look_http11(const Run& run);                              // /page/images --http1.1
std::string look_http2(const Run& run, const std::string& beside);    // /page/images over h2
std::string look_third_party(const Run& run);                         // /page/slow-third-party
std::string look_late_font(const Run& run);                           // /page/late-font
std::string look_keep_alive(const Run& run);                          // /page/keep-alive

}  // namespace pageload::cli
