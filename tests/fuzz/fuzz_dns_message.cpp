// The resolver's reading of DNS messages (src/dns/message.h), fed whatever a hostile or
// broken server could send as a reply. It must stay within the bytes, stop on pointer
// loops, and give the same facts every time.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "dns/message.h"

using namespace pageload::dns;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto m = parse_message(data, size);
  if (!m) {
    if (size >= 17 && data[4] == 0 && data[5] == 1 && data[12] == 0) std::abort();  // root-name question
    return 0;
  }
  if (size < 12) std::abort();
  for (char c : m->qname)
    if (c >= 'A' && c <= 'Z') std::abort();  // compared case-insensitively: lower case
  if (m->records_of_qtype < 0) std::abort();
  if (reply_outcome(*m).empty()) std::abort();
  auto again = parse_message(data, size);
  if (!again || again->qname != m->qname || again->well_formed != m->well_formed ||
      again->records_of_qtype != m->records_of_qtype)
    std::abort();
  return 0;
}
