// The lab DNS server's handling of one query, fed whatever a hostile client could send,
// as a datagram and as a TCP message. A reply, when there is one, answers the query's
// id as a response, fits its transport (512 bytes over UDP, 65,535 over TCP), and is
// never delayed beyond the zone's limit.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "lab/dns_query.h"

using namespace pageload::lab;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  for (DnsTransport transport : {DnsTransport::kUdp, DnsTransport::kTcp}) {
    DnsOutgoing out = dns_reply_to(data, size, transport);
    if (out.delay_ms < 0 || out.delay_ms > 60000) std::abort();
    if (!out.bytes) continue;
    const auto& reply = *out.bytes;
    if (size < 12 || reply.size() < 12) std::abort();    // nothing answers a runt
    if (reply[0] != data[0] || reply[1] != data[1]) std::abort();  // same id
    if (!(reply[2] & 0x80)) std::abort();                 // QR: a response
    if (data[2] & 0x80) std::abort();                     // responses are never answered
    std::size_t limit = transport == DnsTransport::kUdp ? kMaxUdpReply : kMaxTcpReply;
    if (reply.size() > limit) std::abort();
  }
  return 0;
}
