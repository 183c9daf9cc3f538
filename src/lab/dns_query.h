// The lab DNS server's packet handling apart from its socket: the reply to one received
// datagram, by the zone's rules in dns_server.h. A pure function, so that hostile
// datagrams can be fed to it directly (tests/fuzz/fuzz_dns_query).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace pageload::lab {

struct DnsOutgoing {
  std::optional<std::vector<uint8_t>> bytes;  // empty: send nothing (silent, or dropped)
  int delay_ms = 0;                           // send this much later (a delay-N label)
};

// How a query arrived. Over UDP a reply is at most kMaxUdpReply bytes (the lab speaks no
// EDNS): a longer answer is sent as its header and question with TC set, so the client
// asks again over TCP. Over TCP (one message after a two-byte length) a reply is at most
// kMaxTcpReply bytes, which the zone's rules never reach.
enum class DnsTransport { kUdp, kTcp };
constexpr std::size_t kMaxUdpReply = 512;
constexpr std::size_t kMaxTcpReply = 65535;

// Parses `size` bytes at `data` as a query arriving over `transport` and builds the
// reply the server sends. Reads only within [data, data + size), whatever the bytes say.
DnsOutgoing dns_reply_to(const uint8_t* data, std::size_t size, DnsTransport transport = DnsTransport::kUdp);

}  // namespace pageload::lab
