#include "store/file_check.h"

#include <cstring>
#include <filesystem>
#include <fstream>

namespace pageload::store::detail {
namespace {

namespace fs = std::filesystem;

constexpr char kSqliteHeader[16] = "SQLite format 3";  // 15 chars and the NUL: 16 bytes

Status cannot_open(const std::string& path, const std::string& why) {
  return Status(Code::kDatabase, "cannot open database '" + path + "': " + why);
}

}  // namespace

StatusOr<FileState> inspect_database_file(const std::string& path) {
  std::error_code ec;
  const fs::path p(path);
  const fs::path dir = p.parent_path();
  if (!dir.empty() && !fs::is_directory(dir, ec)) {
    return cannot_open(path, "directory '" + dir.string() + "' does not exist");
  }
  auto st = fs::status(p, ec);
  if (st.type() == fs::file_type::not_found) return FileState::kMissing;
  if (ec) return cannot_open(path, ec.message());
  if (st.type() == fs::file_type::directory) return cannot_open(path, "is a directory");
  if (st.type() != fs::file_type::regular) return cannot_open(path, "not a regular file");

  std::ifstream in(p, std::ios::binary);
  if (!in) return cannot_open(path, "cannot read the file");
  char header[16] = {};
  in.read(header, sizeof header);
  const auto got = in.gcount();
  if (got == 0) return FileState::kEmpty;
  if (got < static_cast<std::streamsize>(sizeof header) ||
      std::memcmp(header, kSqliteHeader, sizeof header) != 0) {
    return cannot_open(path, "not a SQLite database");
  }
  return FileState::kSqlite;
}

}  // namespace pageload::store::detail
