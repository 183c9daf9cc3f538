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

uint64_t descriptors_for_connections(int connections) {
  return kDescriptorsPerConnection * static_cast<uint64_t>(std::max(1, connections)) + 1;
}

ParallelBudget plan_parallel(uint64_t limit, uint64_t open_now, int requested, bool pages) {
  ParallelBudget b;
  b.parallel = std::max(1, requested);
  b.limit = limit;
  const uint64_t kept = open_now + kDescriptorsReserved;
  b.minimum = kept + (pages ? descriptors_for_connections(1) : kDescriptorsPerLoad);
  if (limit < b.minimum) {
    b.too_low = true;
    b.parallel = 0;
    b.connections_per_load = 0;
    return b;
  }
  const uint64_t available = limit - kept;
  const uint64_t per_load = pages ? descriptors_for_connections(kConnectionsPerLoadWanted) : kDescriptorsPerLoad;
  const uint64_t fits = std::max<uint64_t>(1, std::min<uint64_t>(available / per_load, 1u << 30));
  if (fits < static_cast<uint64_t>(b.parallel)) {
    b.parallel = static_cast<int>(fits);
    b.lowered = true;
  }
  if (pages) {
    const uint64_t each = available / static_cast<uint64_t>(b.parallel);
    b.connections_per_load = static_cast<int>(std::clamp<uint64_t>((each - 1) / kDescriptorsPerConnection, 1,
                                                                   kMaxConnectionsPerLoad));
  }
  return b;
}

ParallelBudget budget_parallel(int requested, bool pages) {
  const int parallel = std::max(1, requested);
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) {
    ParallelBudget b;
    b.parallel = parallel;
    return b;
  }
  const uint64_t open_now = open_descriptors();
  const uint64_t per_load = pages ? descriptors_for_connections(kMaxConnectionsPerLoad) : kDescriptorsPerLoad;
  const uint64_t need = open_now + kDescriptorsReserved + per_load * static_cast<uint64_t>(parallel);
  if (rl.rlim_cur < need && rl.rlim_max > rl.rlim_cur) {
    rlimit raised = rl;
    raised.rlim_cur = rl.rlim_max == RLIM_INFINITY ? need : std::min<rlim_t>(need, rl.rlim_max);
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
  }
  return plan_parallel(rl.rlim_cur, open_now, parallel, pages);
}

}  // namespace pageload
