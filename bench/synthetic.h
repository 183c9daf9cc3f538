// Synthetic runs that look like real ones (a DNS lookup, connections with TLS, hops with
// every phase and headers), for the database and report benchmarks.
#pragma once

#include "pageload/result.h"

namespace bench {

// Run number `i` with `hops` requests: hop 0 does DNS, connect and TLS; later hops
// alternate between a reused connection and a new one to another host, or, with
// `one_connection`, all reuse the first hop's connection.
pageload::Run synthetic_run(int i, int hops, bool one_connection = false);

}  // namespace bench
