// Outcome words, their codes and precedence, and the c-ares status table.
#include <ares.h>

#include <catch2/catch.hpp>

#include "dns/ares_status.h"
#include "dns/outcome.h"

using namespace pageload;
using namespace pageload::dns;

TEST_CASE("each outcome maps to its failure code") {
  CHECK(code_for_outcome("NOERROR") == Code::kOk);
  CHECK(code_for_outcome("NXDOMAIN") == Code::kDnsNxdomain);
  CHECK(code_for_outcome("SERVFAIL") == Code::kDnsServfail);
  CHECK(code_for_outcome("NODATA") == Code::kDnsNoData);
  CHECK(code_for_outcome("REFUSED") == Code::kDnsRefused);
  CHECK(code_for_outcome("TIMEOUT") == Code::kDnsTimeout);
  CHECK(code_for_outcome("BADREPLY") == Code::kDnsBadReply);
  CHECK(code_for_outcome("ERROR") == Code::kDnsError);
  CHECK(code_for_outcome("SOMETHING") == Code::kDnsError);
}

TEST_CASE("the more informative failure outranks the less") {
  const char* order[] = {"NOERROR", "NXDOMAIN", "SERVFAIL", "REFUSED", "TIMEOUT", "BADREPLY", "ERROR", "NODATA"};
  for (std::size_t i = 0; i + 1 < std::size(order); ++i) {
    INFO(order[i] << " > " << order[i + 1]);
    CHECK(outcome_rank(order[i]) > outcome_rank(order[i + 1]));
  }
  CHECK(outcome_rank("NODATA") > outcome_rank("SOMETHING"));
}

TEST_CASE("failure messages name the host and the outcome") {
  CHECK(failure_message("nxdomain.test", 0, "NXDOMAIN", "ARES_ENOTFOUND") ==
        "nxdomain.test: no such name (NXDOMAIN)");
  CHECK(failure_message("v6.test", 4, "NODATA", "ARES_ENODATA") == "v6.test: no A record (NODATA)");
  CHECK(failure_message("a.test", 0, "NODATA", "ARES_ENODATA") == "a.test: no A or AAAA record (NODATA)");
  CHECK(failure_message("a.test", 4, "TIMEOUT", "ARES_ETIMEOUT") == "a.test: no reply in time (TIMEOUT)");
  CHECK(failure_message("a.test", 4, "ERROR", "ARES_ECONNREFUSED") ==
        "a.test: resolver error ARES_ECONNREFUSED (ERROR)");
}

TEST_CASE("every c-ares status has its name") {
  CHECK(ares_status_name(ARES_SUCCESS) == "ARES_SUCCESS");
  CHECK(ares_status_name(ARES_ENOTFOUND) == "ARES_ENOTFOUND");
  CHECK(ares_status_name(ARES_ETIMEOUT) == "ARES_ETIMEOUT");
  CHECK(ares_status_name(ARES_ESERVICE) == "ARES_ESERVICE");
  CHECK(ares_status_name(99) == "ARES_UNKNOWN_99");
  CHECK(ares_status_name(-1) == "ARES_UNKNOWN_-1");
  // The table is checked for order and gaps at compile time; the names match strerror's codes.
  for (int s = ARES_SUCCESS; s <= ARES_ESERVICE; ++s) CHECK(ares_status_name(s).rfind("ARES_", 0) == 0);
}

TEST_CASE("c-ares statuses map to DNS outcomes") {
  CHECK(outcome_for_ares_status(ARES_SUCCESS) == "NOERROR");
  CHECK(outcome_for_ares_status(ARES_ENOTFOUND) == "NXDOMAIN");
  CHECK(outcome_for_ares_status(ARES_ENODATA) == "NODATA");
  CHECK(outcome_for_ares_status(ARES_ESERVFAIL) == "SERVFAIL");
  CHECK(outcome_for_ares_status(ARES_EREFUSED) == "REFUSED");
  CHECK(outcome_for_ares_status(ARES_ETIMEOUT) == "TIMEOUT");
  CHECK(outcome_for_ares_status(ARES_EBADRESP) == "BADREPLY");
  CHECK(outcome_for_ares_status(ARES_ECONNREFUSED) == "ERROR");
  CHECK(outcome_for_ares_status(ARES_EFORMERR) == "ERROR");
  CHECK(outcome_for_ares_status(1234) == "ERROR");
}
