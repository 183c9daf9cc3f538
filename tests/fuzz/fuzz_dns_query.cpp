// The lab DNS server's handling of one datagram, fed whatever a hostile client could
// send. A reply, when there is one, answers the query's id as a response, and is never
// delayed beyond the zone's limit.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "lab/dns_query.h"

using namespace pageload::lab;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  DnsOutgoing out = dns_reply_to(data, size);
  if (out.delay_ms < 0 || out.delay_ms > 60000) std::abort();
  if (!out.bytes) return 0;
  const auto& reply = *out.bytes;
  if (size < 12 || reply.size() < 12) std::abort();    // nothing answers a runt
  if (reply[0] != data[0] || reply[1] != data[1]) std::abort();  // same id
  if (!(reply[2] & 0x80)) std::abort();                 // QR: a response
  if (data[2] & 0x80) std::abort();                     // responses are never answered
  if (reply.size() > 65535) std::abort();
  return 0;
}
