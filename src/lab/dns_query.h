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

// Parses `size` bytes at `data` as a query and builds the reply the server sends. Reads
// only within [data, data + size), whatever the bytes say.
DnsOutgoing dns_reply_to(const uint8_t* data, std::size_t size);

}  // namespace pageload::lab
