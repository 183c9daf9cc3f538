// The database's filesystem fills up: a real full filesystem (a small tmpfs, mounted by
// the test, which needs root; the test is skipped with a warning otherwise).
#include <catch2/catch.hpp>

#include "fixtures/skip.h"

#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "durability/process.h"
#include "fixtures/lab_fixture.h"

using namespace pageload::testing;

namespace {

// A tmpfs of `size` mounted on `dir` for the guard's lifetime.
class SmallTmpfs {
 public:
  SmallTmpfs(const std::string& dir, const std::string& size) : dir_(dir) {
    std::filesystem::create_directories(dir);
    mounted_ = mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, ("size=" + size).c_str()) == 0;
    if (!mounted_) why_ = std::strerror(errno);
  }
  ~SmallTmpfs() {
    if (mounted_) umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& why() const { return why_; }

 private:
  std::string dir_, why_;
  bool mounted_ = false;
};

// Writes zeros to `path` until the filesystem refuses with ENOSPC; true if it did.
bool fill(const std::string& path) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return false;
  static const char zeros[65536] = {};
  bool full = false;
  for (;;) {
    ssize_t n = write(fd, zeros, sizeof zeros);
    if (n < 0) {
      full = errno == ENOSPC;
      break;
    }
  }
  close(fd);
  return full;
}

std::vector<std::string> lab_run_args(const std::string& db, const std::string& url) {
  auto& lab = shared_lab();
  return {"run", "--dns-server", lab.dns_server(), "--cacert", lab.ca_file(), "--db", db, "--no-html", "--quiet", url};
}

}  // namespace

TEST_CASE("a full disk gives one clear line and exit 4, and loses no earlier run") {
  TempDb tmp;
  SmallTmpfs fs(tmp.dir() + "/fs", "4m");
  if (!fs.mounted()) {
    SKIP_OR_FAIL("cannot mount a tmpfs here (" << fs.why() << "); run as root to test a full disk");
    return;
  }
  const std::string db_path = tmp.dir() + "/fs/full.db";
  auto& lab = shared_lab();
  for (const auto& url : {lab.https_url("secure.test", "/chain/301,302"), lab.http_url("www.test", "/")}) {
    Process p(lab_run_args(db_path, url), tmp.dir() + "/earlier");
    INFO(p.err());
    REQUIRE(p.wait() == 0);
  }
  std::string before;
  {
    Peek db(db_path);
    before = dump_runs(db, 2);
  }

  REQUIRE(fill(tmp.dir() + "/fs/filler"));
  Process full(lab_run_args(db_path, lab.http_url("www.test", "/status/200?full")), tmp.dir() + "/full");
  CHECK(full.wait() == 4);
  const std::string err = full.err();
  INFO(err);
  CHECK(std::count(err.begin(), err.end(), '\n') == 1);
  CHECK(err.rfind("pageload: ", 0) == 0);
  CHECK(err.find("disk full") != std::string::npos);
  CHECK(err.find(db_path) != std::string::npos);

  std::filesystem::remove(tmp.dir() + "/fs/filler");
  {
    Peek db(db_path);
    CHECK(db.value("PRAGMA integrity_check") == "ok");
    CHECK(dump_runs(db, 2) == before);
  }
  // With space again, the same database takes the next run.
  Process again(lab_run_args(db_path, lab.http_url("www.test", "/status/200?again")), tmp.dir() + "/again");
  INFO(again.err());
  CHECK(again.wait() == 0);
  Peek db(db_path);
  CHECK(db.value("SELECT COUNT(*) FROM runs WHERE outcome = 'ok'") == "3");
}
