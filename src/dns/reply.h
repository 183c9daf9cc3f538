// A DNS reply taken apart for the walk from the root (--dns-trace): the header's flags and
// every record of the answer, authority and additional sections with its owner name.
//
// c-ares 1.18's ares_parse_*_reply functions read the answer section only and keep no
// owner names (a referral's NS records and glue live in the other two sections), so the
// sections are walked here with ares_expand_name, the c-ares primitive those parsers are
// built on: it follows compression pointers, checks bounds and refuses pointer loops.
// Reads only within the bytes given, whatever they say.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pageload::dns {

inline constexpr uint16_t kTypeNs = 2;
inline constexpr uint16_t kTypeCname = 5;
inline constexpr uint16_t kTypeSoa = 6;

// One resource record. Names are lower case without a trailing dot ("" is the root); a
// label's own dots and unprintable bytes are escaped as c-ares writes them ("a\.b").
struct ReplyRecord {
  std::string name;   // owner
  uint16_t type = 0;
  uint16_t klass = 0;
  uint32_t ttl = 0;
  // A, AAAA: the address as text; NS, CNAME: the target name; SOA: the primary server's
  // name; any other type, or an A/AAAA/NS/CNAME whose data does not parse: empty.
  std::string value;
};

struct Reply {
  uint16_t id = 0;
  bool authoritative = false;  // AA
  bool truncated = false;      // TC
  int rcode = 0;
  std::string qname;           // the question, lower case, no trailing dot
  uint16_t qtype = 0;
  std::vector<ReplyRecord> answers, authority, additional;
};

// The reply in `size` bytes at `data`; nullopt when it is not a well-formed reply (not a
// response, no single question, a name or record running past the end, a section count
// the bytes do not hold).
std::optional<Reply> parse_reply(const uint8_t* data, std::size_t size);

// ---- Names ------------------------------------------------------------------------------

// The labels of a name as parse_reply writes it, split at the dots c-ares did not escape;
// {} for the root ("").
std::vector<std::string> name_labels(std::string_view name);

// True when `name` is `zone` or lies below it, label by label ("" is the root: every
// name lies at or below it). Case-sensitive: both as parse_reply writes them.
bool is_at_or_below(std::string_view name, std::string_view zone);

// The name as a trace step shows a zone: "." for the root, else the name itself.
std::string zone_text(std::string_view zone);

// `host` as a walk asks for it: lower case, trailing dots dropped.
std::string name_key(std::string_view host);

}  // namespace pageload::dns
