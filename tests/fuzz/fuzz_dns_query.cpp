// The lab DNS server's handling of one query, fed whatever a hostile client could send,
// as a datagram and as a TCP message, and every DNS hierarchy server's (dns_hierarchy.h). A reply, when there is one, answers the query's
// id as a response, fits its transport (512 bytes over UDP, 65,535 over TCP), and is
// never delayed beyond the zone's limit.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "lab/dns_hierarchy.h"
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
  for (const auto& server : hierarchy_servers()) {
    DnsOutgoing out = hierarchy_reply(server.address, data, size);
    if (out.delay_ms < 0 || out.delay_ms > 60000) std::abort();
    if (!out.bytes) continue;
    if (!server.listens) std::abort();  // the unreachable address never answers
    const auto& reply = *out.bytes;
    if (size < 12 || reply.size() < 12 || reply.size() > kMaxUdpReply) std::abort();
    if (reply[0] != data[0] || reply[1] != data[1] || !(reply[2] & 0x80) || (data[2] & 0x80)) std::abort();
  }
  return 0;
}
