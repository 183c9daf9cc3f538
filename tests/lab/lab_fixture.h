// A running lab and a curl client pinned to it, for one test case.
#pragma once

#include <catch2/catch.hpp>
#include <memory>

#include "curl_client.h"
#include "lab/lab.h"

namespace pageload::lab::testing {

struct LabFixture {
  LabFixture() {
    auto started = Lab::start();
    if (!started.ok()) FAIL("lab did not start: " << started.status().to_string());
    lab = std::move(started.value());
    client = std::make_unique<Client>(lab->ca_file(), std::vector<int>{lab->http_port(), lab->https_port(), lab->https11_port()});
  }
  std::string http(const std::string& path, const std::string& host = "a.test") const {
    return lab->http_url(host, path);
  }
  std::string https(const std::string& path, const std::string& host = "a.test") const {
    return lab->https_url(host, path);
  }
  std::string https11(const std::string& path, const std::string& host = "a.test") const {
    return lab->https11_url(host, path);
  }

  std::unique_ptr<Lab> lab;
  std::unique_ptr<Client> client;
};

}  // namespace pageload::lab::testing
