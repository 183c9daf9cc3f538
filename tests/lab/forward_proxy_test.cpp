// The lab's forward proxy that demands a user and password (forward_proxy.h), spoken to
// over a raw socket: 407 with Proxy-Authenticate without them or with wrong ones, the
// tunnel with them.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "lab/forward_proxy.h"

using namespace pageload;

namespace {

// Sends `request` to 127.0.0.1:`port` and returns what comes back up to the end of the
// answer's head (or the close).
std::string ask(int port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
  REQUIRE(::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size()));
  std::string answer;
  char buf[1024];
  while (answer.find("\r\n\r\n") == std::string::npos) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    answer.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return answer;
}

}  // namespace

TEST_CASE("the lab's authenticating proxy answers 407 with Proxy-Authenticate until it gets its user and password") {
  auto proxy = lab::ForwardProxy::start("127.0.0.1", "lab:pw");
  REQUIRE(proxy.ok());
  // A listener to tunnel to: the proxy itself (any loopback port that accepts will do).
  const std::string target = "127.0.0.1:" + std::to_string(proxy.value()->port());
  const std::string connect = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n";
  const std::string none = ask(proxy.value()->port(), connect + "\r\n");
  CHECK(none.rfind("HTTP/1.1 407 Proxy Authentication Required\r\n", 0) == 0);
  CHECK(none.find("\r\nProxy-Authenticate: Basic realm=\"pageload lab\"\r\n") != std::string::npos);
  const std::string wrong = ask(proxy.value()->port(), connect + "Proxy-Authorization: Basic bGFiOnd4\r\n\r\n");
  CHECK(wrong.rfind("HTTP/1.1 407 ", 0) == 0);
  CHECK(proxy.value()->refused_auth() == 2);
  // base64("lab:pw"), the field name in another case, as a client may send it.
  const std::string right = ask(proxy.value()->port(), connect + "proxy-authorization: Basic bGFiOnB3\r\n\r\n");
  CHECK(right.rfind("HTTP/1.1 200 Connection established\r\n", 0) == 0);
  CHECK(proxy.value()->tunnels() == 1);
  CHECK(proxy.value()->refused_auth() == 2);
}

TEST_CASE("the lab's plain forward proxy demands no credentials") {
  auto proxy = lab::ForwardProxy::start("127.0.0.1");
  REQUIRE(proxy.ok());
  const std::string target = "127.0.0.1:" + std::to_string(proxy.value()->port());
  const std::string answer = ask(proxy.value()->port(), "CONNECT " + target + " HTTP/1.1\r\n\r\n");
  CHECK(answer.rfind("HTTP/1.1 200 Connection established\r\n", 0) == 0);
  CHECK(proxy.value()->refused_auth() == 0);
}
