// The HAR reader (src/har/har_import.h) over a stranger's file: whatever it stores must
// come out again as HAR (the export of what was imported), and a bad file must be refused,
// never crash or run away.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "har/har_export.h"
#include "har/har_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto runs = pageload::har::read_har(text, {});
  if (runs.ok()) {
    const std::string again = pageload::har::write_har(runs.value());
    if (again.empty()) __builtin_trap();
  }
  return 0;
}
