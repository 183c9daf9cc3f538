#include "loader/priority.h"

namespace pageload::loader {

Priority chromium_priority(const PriorityHints& h) {
  switch (h.type) {
    case ResourceType::kDocument:
      // NavigationRequest: the main frame at net::HIGHEST, a subframe at net::LOWEST.
      return h.main_document ? Priority::kHighest : Priority::kLow;
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
    case ResourceType::kMedia:
      return Priority::kLow;
    case ResourceType::kOther:
      return Priority::kHigh;  // kRaw: a preload as=fetch and the like
  }
  return Priority::kLow;
}

}  // namespace pageload::loader
