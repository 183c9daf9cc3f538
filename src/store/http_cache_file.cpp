#include "store/http_cache_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "store/sqlite_handle.h"

namespace pageload::store {
namespace {

using detail::SqliteDb;

// 'PLHC': a pageload HTTP cache, so the runs database (or another program's file) given as
// the cache is refused instead of written into.
constexpr uint32_t kApplicationId = 0x504C4843;
constexpr uint32_t kCacheVersion = 1;

constexpr char kCacheSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS responses (
  url              TEXT PRIMARY KEY,   -- a GET of this URL
  status           INTEGER NOT NULL,
  http_version     TEXT,
  response_headers TEXT NOT NULL,      -- JSON [[name, value], ...], as last revalidated
  request_headers  TEXT NOT NULL,      -- JSON [[name, value], ...]: what Vary is matched against
  request_time_s   INTEGER NOT NULL,   -- Unix seconds: the request sent ...
  response_time_s  INTEGER NOT NULL,   -- ... and its response received (RFC 9111 4.2.3)
  body             BLOB,               -- documents and stylesheets only (the page reads them)
  body_bytes       INTEGER NOT NULL,   -- on the wire when fetched
  body_decoded     INTEGER NOT NULL,
  content_type     TEXT
);
)sql";
constexpr char kSelect[] =
    "SELECT url, status, http_version, response_headers, request_headers, request_time_s, response_time_s,"
    " body, body_bytes, body_decoded, content_type FROM responses ORDER BY url";
constexpr char kDeleteAll[] = "DELETE FROM responses";
constexpr char kInsert[] =
    "INSERT INTO responses (url, status, http_version, response_headers, request_headers, request_time_s,"
    " response_time_s, body, body_bytes, body_decoded, content_type)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

std::string headers_json(const std::vector<Header>& headers) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& [n, v] : headers) j.push_back({n, v});
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<Header> headers_from_json(const std::string& text) {
  std::vector<Header> out;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& item : j)
    if (item.is_array() && item.size() == 2 && item[0].is_string() && item[1].is_string())
      out.emplace_back(item[0].get<std::string>(), item[1].get<std::string>());
  return out;
}

uint32_t big_endian32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

// Reads the file's SQLite header (without SQLite, so a file that is not ours is never
// opened, let alone written): ok for a missing or empty file (a new cache) and for a
// pageload HTTP cache this build reads.
Status check_header(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Ok();
  unsigned char header[100] = {};
  in.read(reinterpret_cast<char*>(header), sizeof header);
  if (in.gcount() == 0) return Status::Ok();
  static constexpr char kMagic[] = "SQLite format 3";  // with its NUL: 16 bytes
  if (in.gcount() < static_cast<std::streamsize>(sizeof header) || std::memcmp(header, kMagic, sizeof kMagic) != 0)
    return Status(Code::kDatabase, path + " is not a pageload HTTP cache (not a SQLite database)");
  if (big_endian32(header + 68) != kApplicationId) return Status(Code::kDatabase, path + " is not a pageload HTTP cache");
  if (const uint32_t version = big_endian32(header + 60); version > kCacheVersion)
    return Status(Code::kDatabase, path + " has HTTP cache version " + std::to_string(version) +
                                       ", newer than this pageload's (" + std::to_string(kCacheVersion) + ")");
  return Status::Ok();
}

// Opens (creating when `create`) the cache file of `dir`, once its header says it is one.
StatusOr<std::unique_ptr<SqliteDb>> open_cache(const std::string& dir, bool create) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    return Status(Code::kFile, "--cache " + dir + ": not a directory");
  const std::string path = http_cache_path(dir);
  if (Status s = check_header(path); !s.ok()) return s;
  if (create) {
    // A new cache file is the user's alone (0600), like a browser profile's cache: it holds
    // the pages' bodies. SQLite gives its journal the file's mode.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);
  }
  auto db = SqliteDb::open(path, create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY);
  if (!db.ok()) return db.status();
  SqliteDb& d = **db;
  if (Status s = d.exec("PRAGMA busy_timeout = 5000"); !s.ok()) return s;
  if (!create) return db;
  const std::string init = std::string(kCacheSchema) + "PRAGMA application_id = " + std::to_string(kApplicationId) +
                           "; PRAGMA user_version = " + std::to_string(kCacheVersion) + ";";
  if (Status s = d.exec(init.c_str()); !s.ok()) return s;
  return db;
}

}  // namespace

std::string http_cache_path(const std::string& dir) { return (std::filesystem::path(dir) / "http-cache.db").string(); }

StatusOr<std::vector<CachedResponse>> read_http_cache(const std::string& dir) {
  std::vector<CachedResponse> out;
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec) && !std::filesystem::exists(http_cache_path(dir), ec)) return out;
  auto db = open_cache(dir, false);
  if (!db.ok()) return db.status();
  auto st = (*db)->prepare(kSelect);
  if (!st.ok()) return st.status();
  for (;;) {
    auto row = (*st)->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const auto& s = **st;
    CachedResponse r;
    r.url = s.text(0);
    r.status = s.integer(1);
    r.http_version = s.text(2);
    r.response_headers = headers_from_json(s.text(3));
    r.request_headers = headers_from_json(s.text(4));
    r.request_time_s = s.int64(5);
    r.response_time_s = s.int64(6);
    if (!s.is_null(7)) r.body = s.text(7);
    r.body_bytes = s.int64(8);
    r.body_decoded = s.int64(9);
    r.content_type = s.text(10);
    out.push_back(std::move(r));
  }
  return out;
}

Status write_http_cache(const std::string& dir, const std::vector<CachedResponse>& responses) {
  auto db = open_cache(dir, true);
  if (!db.ok()) return db.status();
  SqliteDb& d = **db;
  detail::Transaction tx(d);
  auto del = d.prepare(kDeleteAll);
  if (!del.ok()) return del.status();
  if (Status s = (*del)->run(); !s.ok()) return s;
  for (const CachedResponse& r : responses) {
    auto st = d.prepare(kInsert);
    if (!st.ok()) return st.status();
    std::optional<std::string_view> body;
    if (r.body) body = std::string_view(*r.body);
    Status s = (*st)->bind_all(r.url, r.status, detail::or_null(r.http_version), headers_json(r.response_headers),
                               headers_json(r.request_headers), r.request_time_s, r.response_time_s, body,
                               r.body_bytes, r.body_decoded, detail::or_null(r.content_type))
                   .run();
    if (!s.ok()) return s;
  }
  return tx.commit();
}

}  // namespace pageload::store
