// DNS wire format for the lab's DNS servers (dns_query.h, dns_hierarchy.h): a
// bounds-checked reader for the queries they receive and a builder for their replies.
// Header-only and free of sockets, so the fuzz targets compile it with the server logic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pageload::lab::wire {

using Name = std::vector<std::string>;  // labels, as raw bytes; no escaping needed
using Bytes = std::vector<uint8_t>;

constexpr uint16_t kTypeA = 1;
constexpr uint16_t kTypeNs = 2;
constexpr uint16_t kTypeCname = 5;
constexpr uint16_t kTypeSoa = 6;
constexpr uint16_t kTypeAaaa = 28;
constexpr uint16_t kClassIn = 1;

constexpr int kNoError = 0, kFormErr = 1, kServFail = 2, kNxDomain = 3, kNotImp = 4, kRefused = 5;
constexpr std::size_t kHeaderSize = 12;

// Reads a query. Every read is bounds-checked; after a failed read ok() is false and
// further reads return zero.
class Reader {
 public:
  Reader(const uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool ok() const { return ok_; }

  uint8_t u8() {
    if (!ok_ || pos_ + 1 > size_) return fail();
    return data_[pos_++];
  }
  uint16_t u16() {
    uint16_t hi = u8();
    return static_cast<uint16_t>(hi << 8 | u8());
  }
  // A question name. Queries have no reason to use compression, so pointers are refused.
  Name name() {
    Name labels;
    std::size_t total = 1;
    for (;;) {
      uint8_t len = u8();
      if (!ok_) return {};
      if (len == 0) return labels;
      if (len > 63 || pos_ + len > size_ || (total += len + 1) > 255) {
        fail();
        return {};
      }
      labels.emplace_back(reinterpret_cast<const char*>(data_ + pos_), len);
      pos_ += len;
    }
  }

 private:
  uint8_t fail() {
    ok_ = false;
    return 0;
  }
  const uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

class Writer {
 public:
  void u8(uint8_t v) { out_.push_back(v); }
  void u16(uint16_t v) {
    u8(static_cast<uint8_t>(v >> 8));
    u8(static_cast<uint8_t>(v));
  }
  void u32(uint32_t v) {
    u16(static_cast<uint16_t>(v >> 16));
    u16(static_cast<uint16_t>(v));
  }
  void bytes(const Bytes& b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void name(const Name& labels) {
    for (const auto& l : labels) {
      u8(static_cast<uint8_t>(l.size()));
      out_.insert(out_.end(), l.begin(), l.end());
    }
    u8(0);
  }
  std::size_t size() const { return out_.size(); }
  Bytes take() { return std::move(out_); }

 private:
  Bytes out_;
};

// The header and question of a query, as the lab servers read them.
struct Query {
  uint16_t id = 0;
  uint16_t flags = 0;
  Name qname;
  uint16_t qtype = 0;
  uint16_t qclass = 0;
};

// A reply with no question: for a query the server cannot read (FORMERR) or whose opcode
// it does not implement (NOTIMP). RD and the opcode are copied from `flags`.
inline Bytes header_only(uint16_t id, uint16_t flags, int rcode) {
  Writer w;
  w.u16(id);
  w.u16(static_cast<uint16_t>(0x8000 | (flags & 0x7900) | 0x0080 | rcode));
  for (int i = 0; i < 4; ++i) w.u16(0);
  return w.take();
}

inline std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace pageload::lab::wire
