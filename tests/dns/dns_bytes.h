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

namespace pageload::dns::testing {

// ---- Whole replies, for the walk's reader (reply.h, referral.h) ----

inline Bytes name_bytes(const std::vector<std::string>& labels) {
  Bytes b;
  put_name(b, labels);
  return b;
}

// "a.b.test" -> {"a", "b", "test"}; "" -> {} (the root).
inline std::vector<std::string> labels(const std::string& dotted) {
  std::vector<std::string> out;
  std::string label;
  for (char c : dotted) {
    if (c == '.') {
      out.push_back(label);
      label.clear();
    } else {
      label += c;
    }
  }
  if (!label.empty()) out.push_back(label);
  return out;
}

inline Bytes ipv4(unsigned a, unsigned b, unsigned c, unsigned d) {
  return Bytes{static_cast<uint8_t>(a), static_cast<uint8_t>(b), static_cast<uint8_t>(c), static_cast<uint8_t>(d)};
}

struct Rr {
  std::string owner;  // dotted
  unsigned type;
  Bytes rdata;
  unsigned ttl = 300;
};

inline Rr a_rr(const std::string& owner, Bytes address, unsigned ttl = 300) { return Rr{owner, 1, std::move(address), ttl}; }
inline Rr ns_rr(const std::string& zone, const std::string& ns) { return Rr{zone, 2, name_bytes(labels(ns)), 172800}; }
inline Rr cname_rr(const std::string& owner, const std::string& target) { return Rr{owner, 5, name_bytes(labels(target)), 60}; }
inline Rr soa_rr(const std::string& zone) {
  Bytes rdata = name_bytes(labels("ns1." + zone));
  Bytes rname = name_bytes(labels("hostmaster." + zone));
  rdata.insert(rdata.end(), rname.begin(), rname.end());
  for (int i = 0; i < 5; ++i) put_u16(rdata, 0), put_u16(rdata, 60);
  return Rr{zone, 6, rdata, 60};
}

inline constexpr unsigned kQr = 0x8000, kAa = 0x0400;

// A reply with one question and the given sections, names written out in full.
inline Bytes reply_bytes(unsigned flags, const std::string& qname, unsigned qtype, const std::vector<Rr>& answers,
                         const std::vector<Rr>& authority = {}, const std::vector<Rr>& additional = {}) {
  Bytes b;
  put_u16(b, 0x1234);
  put_u16(b, flags);
  put_u16(b, 1);
  put_u16(b, static_cast<unsigned>(answers.size()));
  put_u16(b, static_cast<unsigned>(authority.size()));
  put_u16(b, static_cast<unsigned>(additional.size()));
  put_name(b, labels(qname));
  put_u16(b, qtype);
  put_u16(b, 1);
  for (const auto* section : {&answers, &authority, &additional}) {
    for (const auto& r : *section) {
      put_name(b, labels(r.owner));
      put_u16(b, r.type);
      put_u16(b, 1);
      put_u16(b, r.ttl >> 16);
      put_u16(b, r.ttl & 0xffff);
      put_u16(b, static_cast<unsigned>(r.rdata.size()));
      b.insert(b.end(), r.rdata.begin(), r.rdata.end());
    }
  }
  return b;
}

}  // namespace pageload::dns::testing
