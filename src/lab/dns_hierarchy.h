// The lab's DNS hierarchy: a root, a `test.` TLD and authoritative servers, each on an
// address of its own in 127.0.0.0/8 and all on one port, for walks from the root
// (--dns-trace --dns-root 127.0.0.53:PORT). Every case a walk meets on the internet has
// a name here; the replies come from this pure function, the sockets from
// dns_hierarchy_server.h. UDP only, no EDNS in replies (an OPT record in a query is
// ignored), never compressed.
//
//   127.0.0.53  root ".": refers test. to ns1.nic.test (.54, glue); other TLDs NXDOMAIN
//   127.0.0.54  ns1.nic.test, the test. TLD: refers each zone below (glue for NS names
//               inside the zone they serve); NXDOMAIN for names it does not delegate
//   127.0.0.55  ns1.shop.test: shop.test (www: A 127.0.0.1; v6: AAAA ::1 only; dual: both;
//               nx and names below it: NXDOMAIN; other names: A only), lame.test,
//               flaky.test (A 127.0.0.1)
//   127.0.0.56  ns1.hosting.test: hosting.test, noglue.test (its NS name, ns1.hosting.test,
//               lies outside it: no glue), cname.test (NAME.cname.test CNAME NAME.shop.test)
//   127.0.0.57  ns1.slow.test: slow.test, every reply 100 ms late (a label delay-N: N ms)
//   127.0.0.58  ns1.lame.test, ns1.dead.test: REFUSED to every query (lame)
//   127.0.0.59  ns2.dead.test: NOERROR, not authoritative, no records, no referral (lame)
//   127.0.0.60  ns1.flaky.test, ns1.down.test: never replies (silent)
//   127.0.0.61  ns2.flaky.test, ns2.down.test: nothing listens (ICMP port unreachable)
//   127.0.0.62  ns1.loop.test: refers every query back up to test. (a referral loop)
//   127.0.0.63  ns1.chain.test: hop-N.chain.test CNAME hop-(N-1).chain2.test
//   127.0.0.64  ns1.chain2.test: hop-N.chain2.test CNAME hop-(N-1).chain.test
//               (hop-0: A 127.0.0.1; each link leaves its zone: a walk restarts at the root)
// The TLD also delegates lame.test to ns1.lame.test (lame) then ns2.lame.test (.55),
// dead.test to .58 and .59 (both lame), flaky.test to .60, .61 and ns3.flaky.test (.55),
// down.test to .60 and .61, and cycle.test to ns1.cycle.test with no glue: its address
// is in cycle.test itself, so a walk can never find it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "lab/dns_query.h"

namespace pageload::lab {

// The root server's address; its port is the hierarchy's.
inline constexpr std::string_view kHierarchyRoot = "127.0.0.53";
// Replies of the slow server without a delay-N label wait this long.
inline constexpr int kHierarchySlowMs = 100;

struct HierarchyServer {
  std::string_view address;
  std::string_view names;  // its NS names (or "root")
  std::string_view role;   // what it does, for `pageload lab`
  bool listens = true;     // false: nothing listens there, so a query to it is unreachable
};

// Every server of the hierarchy, the root first.
const std::vector<HierarchyServer>& hierarchy_servers();

// A name to try and what its walk shows, for `pageload lab` and the README.
struct HierarchyName {
  std::string_view name;
  std::string_view shows;
};
const std::vector<HierarchyName>& hierarchy_names();

// The reply the hierarchy server at `address` (one of hierarchy_servers()) sends to the
// datagram of `size` bytes at `data`. Reads only within those bytes, whatever they say.
// A datagram that is not a query gets nothing (a response) or FORMERR/NOTIMP.
DnsOutgoing hierarchy_reply(std::string_view address, const uint8_t* data, std::size_t size);

}  // namespace pageload::lab
