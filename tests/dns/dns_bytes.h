// DNS messages built byte by byte for the dns tests, independently of the lab server's
// encoder and of the parser under test.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pageload::dns::testing {

using Bytes = std::vector<uint8_t>;

inline void put_u16(Bytes& b, unsigned v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}

inline void put_name(Bytes& b, const std::vector<std::string>& labels) {
  for (const auto& l : labels) {
    b.push_back(static_cast<uint8_t>(l.size()));
    b.insert(b.end(), l.begin(), l.end());
  }
  b.push_back(0);
}

// A header (QDCOUNT 1, ANCOUNT `ancount`) and one question for www.Example.test.
inline Bytes dns_message(unsigned id, unsigned flags, unsigned qtype, unsigned ancount) {
  Bytes b;
  put_u16(b, id);
  put_u16(b, flags);
  put_u16(b, 1);
  put_u16(b, ancount);
  put_u16(b, 0);
  put_u16(b, 0);
  put_name(b, {"www", "Example", "test"});
  put_u16(b, qtype);
  put_u16(b, 1);
  return b;
}

// An answer record whose owner is a pointer to the question name (offset 12).
inline void put_answer(Bytes& b, unsigned type, const Bytes& rdata) {
  put_u16(b, 0xc00c);
  put_u16(b, type);
  put_u16(b, 1);
  put_u16(b, 0);
  put_u16(b, 300);
  put_u16(b, static_cast<unsigned>(rdata.size()));
  b.insert(b.end(), rdata.begin(), rdata.end());
}

}  // namespace pageload::dns::testing
