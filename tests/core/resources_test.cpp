#include <catch2/catch.hpp>

#include <cerrno>

#include "core/resources.h"
#include "pageload/status.h"

using namespace pageload;

TEST_CASE("the document-only loads that fit in a descriptor limit leave room for the process's own") {
  CHECK(plan_parallel(64, 5, 100, false).parallel == (64 - 5 - kDescriptorsReserved) / kDescriptorsPerLoad);
  CHECK(plan_parallel(64, 5, 100, false).lowered);
  CHECK(plan_parallel(1024, 3, 1000, false).parallel == 249);
  CHECK(plan_parallel(1024, 3, 10, false).parallel == 10);
  CHECK_FALSE(plan_parallel(1024, 3, 10, false).lowered);
  CHECK(plan_parallel(uint64_t{1} << 40, 3, 1 << 30, false).parallel == 1 << 30);  // no overflow past int
}

// Review of issue 8: under `ulimit -n 64` --parallel was lowered to 8 "a load may hold 4
// file descriptors", but a page load opens up to six connections per host, and 25 of 40
// page loads failed local_resource.
TEST_CASE("page loads under a descriptor limit get fewer loads at once and a cap on their connections") {
  const ParallelBudget b = plan_parallel(64, 5, 100, true);
  CHECK(b.lowered);
  CHECK(b.parallel == 2);  // 35 descriptors left, 13 for a load with six connections
  CHECK(b.connections_per_load == 8);
  // What the loads may hold at once fits under the limit.
  CHECK(5 + kDescriptorsReserved + b.parallel * descriptors_for_connections(b.connections_per_load) <= 64);
  const ParallelBudget one = plan_parallel(40, 5, 1, true);  // 11 left: one load, five connections
  CHECK(one.parallel == 1);
  CHECK(one.connections_per_load == 5);
  const ParallelBudget ample = plan_parallel(1 << 20, 5, 100, true);
  CHECK(ample.parallel == 100);
  CHECK_FALSE(ample.lowered);
  CHECK(ample.connections_per_load == kMaxConnectionsPerLoad);
}

// Review of issue 8: under `ulimit -n 12` --parallel was "lowered to 1" and then 300
// runs were stored as local_resource failures.
TEST_CASE("a descriptor limit too low for one load is said to be too low") {
  for (bool pages : {true, false}) {
    const ParallelBudget b = plan_parallel(12, 5, 100, pages);
    CHECK(b.too_low);
    CHECK(b.parallel == 0);
    CHECK(b.minimum > 12);
    CHECK_FALSE(plan_parallel(b.minimum, 5, 100, pages).too_low);
    CHECK(plan_parallel(b.minimum - 1, 5, 100, pages).too_low);
  }
}

TEST_CASE("running out of descriptors or buffers is told apart from network errors") {
  CHECK(is_resource_exhaustion(EMFILE));
  CHECK(is_resource_exhaustion(ENFILE));
  CHECK(is_resource_exhaustion(ENOBUFS));
  CHECK_FALSE(is_resource_exhaustion(ECONNREFUSED));
  CHECK_FALSE(is_resource_exhaustion(0));
  const std::string m = resource_message("cannot open a socket", EMFILE);
  CHECK(m.rfind("cannot open a socket: Too many open files (EMFILE; this process may have ", 0) == 0);
  CHECK(m.find("ulimit -n)") != std::string::npos);
}

TEST_CASE("local_resource is a local failure with exit status 4") {
  CHECK(code_name(Code::kLocalResource) == "local_resource");
  CHECK(code_info(Code::kLocalResource).origin == Origin::kLocal);
  CHECK(code_info(Code::kLocalResource).exit_status == 4);
}
