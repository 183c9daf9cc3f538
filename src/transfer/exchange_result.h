// Turns a finished exchange (its stamps, what curl reports, how it ended) into the
// ExchangeResult handed to the caller: the request with its phases, status, headers and
// failure; the connection it opened; the tries curl gave up on. Internal.
#pragma once

#include <curl/curl.h>

#include <cstdint>

#include "transfer/exchange.h"

namespace pageload::transfer::detail {

// `rc` is how curl ended the transfer, `now_us` when it was taken off (our clock). Stamps
// kDone on the exchange; moves its headers out.
ExchangeResult build_result(Exchange& ex, CURLcode rc, int64_t now_us);

}  // namespace pageload::transfer::detail
