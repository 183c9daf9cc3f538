// page_lab [--page-delay MS]: the lab for compare_pages.mjs, which loads the lab's pages
// in headless Chromium and with pageload and compares what each asked the lab for. It
// starts a Lab (LabOptions::page_delay from --page-delay) and prints one JSON line: the
// ports, the DNS server, the CA file and every page. Then it answers each line read from
// stdin:
//   counts   one JSON line: each server's connections so far, by host (Lab::connections_by_host)
// and stops the lab at the end of its input (when the script exits, however it exits).
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "lab/lab.h"
#include "lab/page_routes.h"

namespace {

using pageload::lab::Lab;

nlohmann::json counts(const Lab& lab) {
  nlohmann::json out = nlohmann::json::object();
  for (auto [name, server] : {std::pair{"http", Lab::Server::kHttp}, std::pair{"https", Lab::Server::kHttps},
                              std::pair{"https11", Lab::Server::kHttps11}})
    out[name] = lab.connections_by_host(server);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  pageload::lab::LabOptions options;
  if (argc == 3 && std::string(argv[1]) == "--page-delay") {
    options.page_delay = std::chrono::milliseconds(std::atol(argv[2]));
  } else if (argc != 1) {
    std::cerr << "usage: page_lab [--page-delay MS]\n";
    return 2;
  }
  auto started = Lab::start(options);
  if (!started.ok()) {
    std::cerr << "page_lab: the lab did not start: " << started.status().message() << "\n";
    return 1;
  }
  const Lab& lab = *started.value();
  nlohmann::json pages = nlohmann::json::array();
  for (const auto& page : pageload::lab::page_list()) pages.push_back(std::string(page.example));
  nlohmann::json hello{{"dns_server", lab.dns_server()}, {"http", lab.http_port()},
                       {"https", lab.https_port()},      {"https11", lab.https11_port()},
                       {"ca_file", lab.ca_file()},       {"pages", pages}};
  std::cout << hello.dump() << std::endl;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line == "counts") std::cout << counts(lab).dump() << std::endl;
    else std::cout << nlohmann::json{{"error", "unknown command: " + line}}.dump() << std::endl;
  }
  return 0;
}
