#include "core/resources.h"

#include <dirent.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace pageload {
namespace {

const char* errno_name(int err) {
  switch (err) {
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case ENOBUFS: return "ENOBUFS";
    case ENOMEM: return "ENOMEM";
    default: return nullptr;
  }
}

// Descriptors open in this process now (/proc/self/fd, less the one reading it); 3 (the
// standard streams) if that cannot be read.
uint64_t open_descriptors() {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return 3;
  uint64_t n = 0;
  while (const dirent* e = readdir(dir))
    if (e->d_name[0] != '.') ++n;
  closedir(dir);
  return n > 0 ? n - 1 : 0;
}

}  // namespace

bool is_resource_exhaustion(int err) { return errno_name(err) != nullptr; }

std::string resource_message(std::string_view what, int err) {
  std::string out = std::string(what) + ": " + std::strerror(err);
  const char* name = errno_name(err);
  if (!name) return out;
  out += std::string(" (") + name;
  rlimit rl{};
  if (err == EMFILE && getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
    out += "; this process may have " + std::to_string(rl.rlim_cur) + ": ulimit -n";
  else if (err == ENFILE)
    out += "; the system's limit: fs.file-max";
  return out + ")";
}

int loads_within(uint64_t limit, uint64_t open_now) {
  const uint64_t kept = open_now + kDescriptorsReserved;
  if (limit <= kept + kDescriptorsPerLoad) return 1;
  return static_cast<int>(std::min<uint64_t>((limit - kept) / kDescriptorsPerLoad, 1u << 30));
}

ParallelBudget budget_parallel(int requested) {
  ParallelBudget b;
  b.parallel = std::max(1, requested);
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return b;
  const uint64_t open_now = open_descriptors();
  const uint64_t need = open_now + kDescriptorsReserved + kDescriptorsPerLoad * static_cast<uint64_t>(b.parallel);
  if (rl.rlim_cur < need && rl.rlim_max > rl.rlim_cur) {
    rlimit raised = rl;
    raised.rlim_cur = rl.rlim_max == RLIM_INFINITY ? need : std::min<rlim_t>(need, rl.rlim_max);
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
  }
  b.limit = rl.rlim_cur;
  const int fits = loads_within(rl.rlim_cur, open_now);
  if (fits < b.parallel) {
    b.parallel = fits;
    b.lowered = true;
  }
  return b;
}

}  // namespace pageload
