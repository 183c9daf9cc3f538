// The few facts of one DNS message (RFC 1035 4.1) that tell which query a datagram
// belongs to and what a server answered: its id, its question, and for a reply the
// outcome it carries. The resolver reads them off the datagrams c-ares sends and
// receives (c-ares 1.18 reports neither to its callbacks). Pure: no c-ares, no I/O;
// reads only within the bytes given, whatever they say.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace pageload::dns {

inline constexpr uint16_t kTypeA = 1;
inline constexpr uint16_t kTypeAaaa = 28;

struct MessageInfo {
  uint16_t id = 0;
  bool response = false;   // QR: a reply, not a query
  bool truncated = false;  // TC: the reply did not fit (c-ares then asks again over TCP)
  int rcode = 0;
  std::string qname;       // the first question's name, lower case, no trailing dot
  uint16_t qtype = 0;
  int records_of_qtype = 0;  // answer records whose type is the question's
  bool well_formed = false;  // every section lies within the message
};

// The header and first question of `size` bytes at `data`; nullopt when there is not even
// that (too short, no question, a name running past the end or looping). The rest of the
// message is walked record by record to set well_formed and records_of_qtype.
std::optional<MessageInfo> parse_message(const uint8_t* data, std::size_t size);

// What a reply says, in the words a dns_attempts row stores: BADREPLY when it is not
// well formed, TRUNCATED when TC is set, NODATA for NOERROR without a record of the asked
// type, else the RCODE's name (NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED,
// or RCODE<n> for the rest).
std::string reply_outcome(const MessageInfo& reply);

// The name of an RCODE: NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED, or
// RCODE<n> for the rest.
std::string rcode_name(int rcode);

// "A", "AAAA" or "TYPE<n>".
std::string type_name(uint16_t type);

}  // namespace pageload::dns
