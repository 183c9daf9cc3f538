#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/file.h"

using namespace pageload;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/pageload-file-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("a file is written whole and an existing one replaced, with no temporary left") {
  TempDir dir;
  const std::string path = dir.path + "/report.html";
  REQUIRE(write_file_replacing(path, "first").ok());
  CHECK(slurp(path) == "first");
  REQUIRE(write_file_replacing(path, "second, longer").ok());
  CHECK(slurp(path) == "second, longer");
  CHECK(std::distance(std::filesystem::directory_iterator(dir.path), std::filesystem::directory_iterator()) == 1);
  // Created as any file the user makes: 0666 less the umask.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == (0666 & ~mask));
}

// A pageload-run-N.html symlink planted in the directory made pageload overwrite its
// target.
TEST_CASE("a symbolic link at the path is refused and its target left as it was") {
  TempDir dir;
  const std::string target = dir.path + "/precious", link = dir.path + "/pageload-run-1.html";
  std::ofstream(target) << "keep me";
  REQUIRE(::symlink(target.c_str(), link.c_str()) == 0);
  Status s = write_file_replacing(link, "<html>");
  CHECK(s.code() == Code::kFile);
  CHECK(s.message() == "cannot write " + link + ": it is a symbolic link; remove it or choose another path");
  CHECK(slurp(target) == "keep me");
  CHECK(std::filesystem::is_symlink(link));
  // A dangling link is not followed to create its target either.
  const std::string dangling = dir.path + "/dangling.html", nowhere = dir.path + "/created-through-link";
  REQUIRE(::symlink(nowhere.c_str(), dangling.c_str()) == 0);
  CHECK(write_file_replacing(dangling, "x").code() == Code::kFile);
  CHECK_FALSE(std::filesystem::exists(nowhere));
}

// `report -o FIFO` and `--html FIFO` blocked forever opening the FIFO.
TEST_CASE("a FIFO, a directory or a device at the path is refused at once, without opening it") {
  TempDir dir;
  const std::string fifo = dir.path + "/fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
  const auto started = std::chrono::steady_clock::now();
  Status s = write_file_replacing(fifo, "x");
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(1));
  CHECK(s.code() == Code::kFile);
  CHECK(s.message().find("it is a FIFO") != std::string::npos);
  CHECK(write_file_replacing(dir.path, "x").message().find("it is a directory") != std::string::npos);
  CHECK(write_file_replacing("/dev/null", "x").message().find("it is a device") != std::string::npos);
}

TEST_CASE("a file in a missing directory fails with one line naming the path and the reason") {
  Status s = write_file_replacing("/nonexistent-dir-pageload/r.html", "x");
  CHECK(s.code() == Code::kFile);
  CHECK(s.message() == "cannot write /nonexistent-dir-pageload/r.html: No such file or directory");
}
