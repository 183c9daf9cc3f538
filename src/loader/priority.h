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
  bool boosted_image = false;     // an image ImageBoost raised
  bool icon = false;              // the page's icon, fetched by the browser process
  bool prefetch = false;          // <link rel=prefetch>, or a Link header's (kLinkPrefetch)
};

Priority chromium_priority(const PriorityHints& hints);

// Blink's first-images boost for one frame (ResourceFetcher::AdjustImagePriority under
// kBoostImagePriority): of the images its markup names, in the order they are fetched,
// the first five that are not small go at medium instead of low. A small one (width and
// height at most 10,000 px²) is not counted; one with a fetchpriority of its own is
// counted but keeps its priority.
class ImageBoost {
 public:
  static constexpr int kImages = 5;  // kBoostImagePriorityImageCount
  // Whether this image is boosted; counts it.
  bool take(bool markup_image, bool small_image, bool explicit_priority) {
    if (!markup_image || small_image || counted_ >= kImages) return false;
    ++counted_;
    return !explicit_priority;
  }

 private:
  int counted_ = 0;
};

// Whether Chromium's resource scheduler may hold the request back on an origin without
// HTTP/2 (below net::MEDIUM, i.e. below DevTools' "high").
constexpr bool is_delayable(Priority p) { return p < Priority::kHigh; }

}  // namespace pageload::loader
