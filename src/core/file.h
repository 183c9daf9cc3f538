// Writing a whole file the safe way, for the reports: never through a symbolic link,
// never into a FIFO or a device, and never leaving a half-written file behind.
#pragma once

#include <string>
#include <string_view>

#include "pageload/status.h"

namespace pageload {

// Writes `bytes` to `path`, replacing a regular file there. The bytes go to a new file
// beside it (O_EXCL, O_NOFOLLOW; mode 0666 less the umask), which is then renamed over
// `path`: a reader sees the old file or the new one, a failed write leaves the old one,
// and a symbolic link planted at `path` is never followed. An existing `path` that is
// not a regular file (a symbolic link, a FIFO, a directory, a device) is refused without
// being opened, so nothing blocks on a FIFO. Fails with kFile and a one-line message
// naming the path and the reason.
Status write_file_replacing(const std::string& path, std::string_view bytes);

}  // namespace pageload
