// The priority Chromium gives a request, from what the page knew when it found it
// (Blink's ResourceFetcher::ComputeLoadPriority and TypeToPriority; the navigation's
// own priority for documents). Pure: the loader fills the hints, this decides.
#pragma once

#include "pageload/resource.h"

namespace pageload::loader {

struct PriorityHints {
  ResourceType type = ResourceType::kOther;
  bool main_document = false;     // the page's own document; an iframe's is not
  bool lazy = false;              // a classic script with async or defer (kLazyLoad)
  bool preload = false;           // <link rel=preload|modulepreload>
  // Named in its document after the document's first image (Blink's divide between
  // "early" and "late" references found by the preload scanner).
  bool late_in_document = false;
  bool media_mismatch = false;    // a stylesheet whose media does not apply (kIdleLoad)
};

Priority chromium_priority(const PriorityHints& hints);

// Whether Chromium's resource scheduler may hold the request back on an origin without
// HTTP/2 (below net::MEDIUM, i.e. below DevTools' "high").
constexpr bool is_delayable(Priority p) { return p < Priority::kHigh; }

}  // namespace pageload::loader
