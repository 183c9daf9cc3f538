#include "dns/reply.h"

#include <ares.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <memory>

#include "dns/message.h"

namespace pageload::dns {
namespace {

constexpr std::size_t kHeaderSize = 12;
constexpr std::size_t kRecordFixed = 10;  // type, class, TTL, RDLENGTH

struct StringFree {
  void operator()(char* s) const { ares_free_string(s); }
};

uint16_t u16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t u32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | p[3];
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// Reads the message front to back; every read checks the bounds first.
class Walker {
 public:
  Walker(const uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  std::size_t pos() const { return pos_; }
  bool has(std::size_t n) const { return size_ - pos_ >= n; }
  void skip(std::size_t n) { pos_ += n; }
  const uint8_t* here() const { return data_ + pos_; }

  // The name at the current position (c-ares expands it); moves past it.
  std::optional<std::string> name() {
    auto expanded = expand(pos_);
    if (!expanded) return std::nullopt;
    pos_ += expanded->second;
    return std::move(expanded->first);
  }

  // The name at `at`, and how many bytes it takes there; nullopt when c-ares refuses it.
  std::optional<std::pair<std::string, std::size_t>> expand(std::size_t at) const {
    if (at >= size_) return std::nullopt;
    char* raw = nullptr;
    long used = 0;
    if (ares_expand_name(data_ + at, data_, static_cast<int>(size_), &raw, &used) != ARES_SUCCESS)
      return std::nullopt;
    std::unique_ptr<char, StringFree> owned(raw);
    if (used <= 0 || static_cast<std::size_t>(used) > size_ - at) return std::nullopt;
    return std::make_pair(lower(raw), static_cast<std::size_t>(used));
  }

 private:
  const uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

std::string address_text(int af, const uint8_t* bytes) {
  char text[INET6_ADDRSTRLEN] = "";
  inet_ntop(af, bytes, text, sizeof text);
  return text;
}

// One record at the walker's position; nullopt when it does not fit the message.
std::optional<ReplyRecord> read_record(Walker& w) {
  ReplyRecord r;
  auto owner = w.name();
  if (!owner || !w.has(kRecordFixed)) return std::nullopt;
  r.name = std::move(*owner);
  const uint8_t* fixed = w.here();
  r.type = u16(fixed);
  r.klass = u16(fixed + 2);
  r.ttl = u32(fixed + 4);
  const std::size_t rdlength = u16(fixed + 8);
  w.skip(kRecordFixed);
  if (!w.has(rdlength)) return std::nullopt;
  const std::size_t rdata = w.pos();
  if (r.type == kTypeA && rdlength == 4) {
    r.value = address_text(AF_INET, w.here());
  } else if (r.type == kTypeAaaa && rdlength == 16) {
    r.value = address_text(AF_INET6, w.here());
  } else if (r.type == kTypeNs || r.type == kTypeCname || r.type == kTypeSoa) {
    // The target may be compressed, but its own bytes must lie within the RDATA.
    auto target = w.expand(rdata);
    if (target && target->second <= rdlength) r.value = std::move(target->first);
  }
  w.skip(rdlength);
  return r;
}

}  // namespace

std::optional<Reply> parse_reply(const uint8_t* data, std::size_t size) {
  if (!data || size < kHeaderSize) return std::nullopt;
  Reply reply;
  reply.id = u16(data);
  const uint16_t flags = u16(data + 2);
  if (!(flags & 0x8000)) return std::nullopt;  // a query, not a reply
  reply.authoritative = flags & 0x0400;
  reply.truncated = flags & 0x0200;
  reply.rcode = flags & 0x000f;
  if (u16(data + 4) != 1) return std::nullopt;
  const std::size_t counts[3] = {u16(data + 6), u16(data + 8), u16(data + 10)};

  Walker w(data, size);
  w.skip(kHeaderSize);
  auto qname = w.name();
  if (!qname || !w.has(4)) return std::nullopt;
  reply.qname = std::move(*qname);
  while (!reply.qname.empty() && reply.qname.back() == '.') reply.qname.pop_back();
  reply.qtype = u16(w.here());
  w.skip(4);

  std::vector<ReplyRecord>* sections[3] = {&reply.answers, &reply.authority, &reply.additional};
  for (int s = 0; s < 3; ++s) {
    for (std::size_t i = 0; i < counts[s]; ++i) {
      auto record = read_record(w);
      if (!record) return std::nullopt;
      sections[s]->push_back(std::move(*record));
    }
  }
  return reply;
}

std::vector<std::string> name_labels(std::string_view name) {
  std::vector<std::string> labels;
  if (name.empty()) return labels;
  std::string label;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '\\' && i + 1 < name.size()) {  // an escape: the next byte belongs to the label
      label += c;
      label += name[++i];
      continue;
    }
    if (c == '.') {
      labels.push_back(std::move(label));
      label.clear();
      continue;
    }
    label += c;
  }
  labels.push_back(std::move(label));
  return labels;
}

bool is_at_or_below(std::string_view name, std::string_view zone) {
  const auto n = name_labels(name);
  const auto z = name_labels(zone);
  if (z.size() > n.size()) return false;
  for (std::size_t i = 0; i < z.size(); ++i)
    if (n[n.size() - z.size() + i] != z[i]) return false;
  return true;
}

std::string zone_text(std::string_view zone) { return zone.empty() ? "." : std::string(zone); }

std::string name_key(std::string_view host) {
  std::string out = lower(std::string(host));
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

}  // namespace pageload::dns
