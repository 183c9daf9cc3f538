// The lab as tests hold it: in a function-local static, torn down by exit() while a TLS
// connection may still be in its handshake. That once crashed (SIGSEGV in BIO_free): the
// BIO method, created later than the lab, was freed first.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <malloc.h>
#include <spawn.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <thread>

#include "lab/lab.h"

extern char** environ;

namespace {

[[noreturn]] void child_exits_with_tls_handshake_pending() {
  mallopt(M_PERTURB, 0x5a);  // freed memory is overwritten: a use after free shows
  static std::unique_ptr<pageload::lab::Lab> lab = [] {
    auto started = pageload::lab::Lab::start();
    if (!started.ok()) std::_Exit(2);
    return std::move(started).value();
  }();
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(lab->https_port()));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) std::_Exit(3);
  // The server accepts and waits for a ClientHello that never comes.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::exit(0);  // static destructors run; the handshake is still pending
}

}  // namespace

// Hidden: run only by the test below, in a fresh process of this binary (a fork would
// inherit the other tests' lab, whose threads the child does not have).
TEST_CASE("lab exit child", "[.]") { child_exits_with_tls_handshake_pending(); }

TEST_CASE("a lab torn down at exit with a TLS handshake pending does not crash") {
  std::string self = std::filesystem::read_symlink("/proc/self/exe");
  for (int i = 0; i < 5; ++i) {
    char* argv[] = {self.data(), const_cast<char*>("lab exit child"), nullptr};
    pid_t pid = 0;
    REQUIRE(posix_spawn(&pid, self.c_str(), nullptr, nullptr, argv, environ) == 0);
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    INFO("child " << i << (WIFSIGNALED(status) ? " killed by signal " + std::to_string(WTERMSIG(status)) : ""));
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
}
