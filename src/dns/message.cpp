#include "dns/message.h"

#include <array>
#include <string_view>

namespace pageload::dns {
namespace {

constexpr std::size_t kHeaderSize = 12;
constexpr int kMaxPointerHops = 64;  // more than any real name needs; stops loops

class Reader {
 public:
  Reader(const uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  bool ok() const { return ok_; }
  std::size_t pos() const { return pos_; }

  uint16_t u16() {
    if (!need(2)) return 0;
    uint16_t v = static_cast<uint16_t>(data_[pos_] << 8 | data_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  void skip(std::size_t n) {
    if (need(n)) pos_ += n;
  }

  // A name at the current position, compression pointers followed; the position moves
  // past the name as it is written here (a pointer is two bytes).
  std::string name() {
    std::string out;
    std::size_t at = pos_;
    bool jumped = false;
    for (int hops = 0; ok_;) {
      if (at >= size_) return fail();
      const uint8_t len = data_[at];
      if ((len & 0xc0) == 0xc0) {
        if (at + 1 >= size_ || ++hops > kMaxPointerHops) return fail();
        if (!jumped) pos_ = at + 2;
        jumped = true;
        at = static_cast<std::size_t>(len & 0x3f) << 8 | data_[at + 1];
        continue;
      }
      if (len & 0xc0) return fail();  // 01 and 10: reserved label types
      if (len == 0) {
        if (!jumped) pos_ = at + 1;
        return out;
      }
      if (at + 1 + len > size_) return fail();
      if (!out.empty()) out += '.';
      for (std::size_t i = 0; i < len; ++i) {
        char c = static_cast<char>(data_[at + 1 + i]);
        out += c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
      }
      at += 1 + len;
    }
    return out;
  }

 private:
  bool need(std::size_t n) {
    if (ok_ && size_ - pos_ >= n) return true;
    ok_ = false;
    return false;
  }
  std::string fail() {
    ok_ = false;
    return {};
  }

  const uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

constexpr std::array<std::string_view, 6> kRcodes{"NOERROR", "FORMERR",  "SERVFAIL",
                                                   "NXDOMAIN", "NOTIMP", "REFUSED"};

}  // namespace

std::optional<MessageInfo> parse_message(const uint8_t* data, std::size_t size) {
  if (!data || size < kHeaderSize) return std::nullopt;
  Reader r(data, size);
  MessageInfo m;
  m.id = r.u16();
  const uint16_t flags = r.u16();
  m.response = flags & 0x8000;
  m.truncated = flags & 0x0200;
  m.rcode = flags & 0x000f;
  const int qdcount = r.u16();
  const int ancount = r.u16();
  const int nscount = r.u16();
  const int arcount = r.u16();
  if (qdcount < 1) return std::nullopt;

  m.qname = r.name();
  m.qtype = r.u16();
  r.skip(2);  // class
  if (!r.ok()) return std::nullopt;
  while (!m.qname.empty() && m.qname.back() == '.') m.qname.pop_back();

  for (int i = 1; i < qdcount && r.ok(); ++i) {
    r.name();
    r.skip(4);
  }
  for (int i = 0; i < ancount + nscount + arcount && r.ok(); ++i) {
    r.name();
    const uint16_t type = r.u16();
    r.skip(6);  // class, TTL
    const uint16_t rdlength = r.u16();
    r.skip(rdlength);
    if (r.ok() && i < ancount && type == m.qtype) ++m.records_of_qtype;
  }
  m.well_formed = r.ok();
  return m;
}

std::string reply_outcome(const MessageInfo& reply) {
  if (!reply.well_formed) return "BADREPLY";
  if (reply.truncated) return "TRUNCATED";
  if (reply.rcode == 0 && reply.records_of_qtype == 0) return "NODATA";
  return rcode_name(reply.rcode);
}

std::string rcode_name(int rcode) {
  if (rcode >= 0 && static_cast<std::size_t>(rcode) < kRcodes.size())
    return std::string(kRcodes[static_cast<std::size_t>(rcode)]);
  return "RCODE" + std::to_string(rcode);
}

std::string type_name(uint16_t type) {
  if (type == kTypeA) return "A";
  if (type == kTypeAaaa) return "AAAA";
  return "TYPE" + std::to_string(type);
}

}  // namespace pageload::dns
