#include <catch2/catch.hpp>

#include <cerrno>

#include "core/resources.h"
#include "pageload/status.h"

using namespace pageload;

TEST_CASE("the loads that fit in a descriptor limit leave room for the process's own") {
  CHECK(loads_within(64, 5) == (64 - 5 - kDescriptorsReserved) / kDescriptorsPerLoad);
  CHECK(loads_within(1024, 3) == 249);
  CHECK(loads_within(16, 3) == 1);   // at least one, whatever the limit
  CHECK(loads_within(0, 100) == 1);
  CHECK(loads_within(uint64_t{1} << 40, 3) == 1 << 30);  // no overflow past int
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
