#include "loader/priority.h"

namespace pageload::loader {

Priority chromium_priority(const PriorityHints& h) {
  // The browser process asks for the page's icon at net::MEDIUM (DevTools: High).
  if (h.icon) return Priority::kHigh;
  // A prefetch is for a later navigation: Blink's TypeToPriority gives kLinkPrefetch
  // kVeryLow, whatever it is (DevTools: Lowest).
  if (h.prefetch) return Priority::kLowest;
  switch (h.type) {
    case ResourceType::kDocument:
      // What DevTools reports for a frame's document, the main frame's or an iframe's:
      // VeryHigh (an iframe's navigation is a browser request no scheduler holds back).
      return Priority::kHighest;
    case ResourceType::kStylesheet:
      if (h.media_mismatch) return Priority::kLowest;
      return h.late_in_document ? Priority::kMedium : Priority::kHighest;
    case ResourceType::kFont:
      // "A preloaded font should not take precedence over critical CSS or
      // parser-blocking scripts."
      return h.preload ? Priority::kHigh : Priority::kHighest;
    case ResourceType::kScript:
      if (h.lazy) return Priority::kLow;
      return h.late_in_document ? Priority::kMedium : Priority::kHigh;
    case ResourceType::kImage:
      return h.boosted_image ? Priority::kMedium : Priority::kLow;
    case ResourceType::kMedia:
      return Priority::kLow;
    case ResourceType::kOther:
      return Priority::kHigh;  // kRaw: a preload as=fetch and the like
  }
  return Priority::kLow;
}

}  // namespace pageload::loader
