#include "store/file_check.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace pageload::store::detail {
namespace {

namespace fs = std::filesystem;

constexpr char kSqliteHeader[16] = "SQLite format 3";  // 15 chars and the NUL: 16 bytes
constexpr size_t kHeaderSize = 100;                     // the database header

Status cannot_open(const std::string& path, const std::string& why) {
  return Status(Code::kDatabase, "cannot open database '" + path + "': " + why);
}

}  // namespace

StatusOr<FileInfo> inspect_database_file(const std::string& path) {
  if (path == ":memory:") return FileInfo{FileState::kMemory};
  std::error_code ec;
  const fs::path p(path);
  const fs::path dir = p.parent_path();
  if (!dir.empty() && !fs::is_directory(dir, ec)) {
    const bool file_there = fs::exists(dir, ec);
    return cannot_open(path, "directory '" + dir.string() + (file_there ? "' is not a directory (" : "' does not exist (") +
                                 std::strerror(file_there ? ENOTDIR : ENOENT) + ")");
  }
  auto st = fs::status(p, ec);
  if (st.type() == fs::file_type::not_found) return FileInfo{FileState::kMissing};
  if (ec) return cannot_open(path, ec.message());
  if (st.type() == fs::file_type::directory) return cannot_open(path, "is a directory");
  if (st.type() != fs::file_type::regular) return cannot_open(path, "not a regular file");

  errno = 0;
  std::ifstream in(p, std::ios::binary);
  if (!in) return cannot_open(path, std::string("cannot read the file (") + std::strerror(errno ? errno : EACCES) + ")");
  unsigned char header[kHeaderSize] = {};
  in.read(reinterpret_cast<char*>(header), sizeof header);
  const auto got = in.gcount();
  if (got == 0) return FileInfo{FileState::kEmpty};
  if (got < static_cast<std::streamsize>(sizeof header) ||
      std::memcmp(header, kSqliteHeader, sizeof kSqliteHeader) != 0) {
    return cannot_open(path, "not a SQLite database");
  }
  // https://www.sqlite.org/fileformat.html: user_version is big-endian at offset 60.
  const uint32_t version = (uint32_t{header[60]} << 24) | (uint32_t{header[61]} << 16) |
                           (uint32_t{header[62]} << 8) | uint32_t{header[63]};
  return FileInfo{FileState::kSqlite, static_cast<int>(version)};
}

}  // namespace pageload::store::detail
