// --cache DIR: the HTTP cache kept in DIR/http-cache.db across invocations.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "store/http_cache_file.h"
#include "store/store.h"
#include "test_support.h"

using namespace pageload;
using namespace pageload::store;
using namespace pageload::store::testing;

namespace {

CachedResponse sample(std::string url) {
  CachedResponse r;
  r.url = std::move(url);
  r.status = 200;
  r.http_version = "HTTP/2";
  r.response_headers = {{"Cache-Control", "max-age=600"}, {"ETag", "\"\\u00e9\""}, {"Vary", "Accept"}};
  r.request_headers = {{"Accept", "text/css,*/*;q=0.1"}};
  r.request_time_s = 1'700'000'000;
  r.response_time_s = 1'700'000'001;
  r.body = std::string("body { }\0binary\xff", 16);
  r.body_bytes = 120;
  r.body_decoded = 16;
  r.content_type = "text/css";
  return r;
}

}  // namespace

TEST_CASE("a directory without a cache file reads as an empty cache") {
  ScratchDir dir;
  auto read = read_http_cache(dir.path());
  REQUIRE(read.ok());
  CHECK(read->empty());
}

TEST_CASE("the HTTP cache written to a directory reads back the same, bodies byte for byte") {
  ScratchDir dir;
  CachedResponse image = sample("http://a.test/i.png");
  image.body.reset();  // an image keeps its size, not its bytes
  std::vector<CachedResponse> kept{sample("http://a.test/a.css"), image};
  REQUIRE(write_http_cache(dir.path(), kept).ok());
  auto read = read_http_cache(dir.path());
  REQUIRE(read.ok());
  CHECK(*read == kept);
  // Written again, it holds what was given this time, not both.
  REQUIRE(write_http_cache(dir.path(), {image}).ok());
  CHECK(read_http_cache(dir.path())->size() == 1);
}

TEST_CASE("a new cache file is readable by its owner alone, as a browser profile's cache") {
  ScratchDir dir;
  REQUIRE(write_http_cache(dir.path(), {sample("http://a.test/a.css")}).ok());
  const auto perms = std::filesystem::status(http_cache_path(dir.path())).permissions();
  CHECK((perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all)) == std::filesystem::perms::none);
}

TEST_CASE("a runs database given as the cache directory's file is refused and left alone") {
  ScratchDir dir;
  REQUIRE(Database::open(http_cache_path(dir.path())).ok());
  const std::string before = read_bytes(http_cache_path(dir.path()));
  auto read = read_http_cache(dir.path());
  REQUIRE_FALSE(read.ok());
  CHECK(read.status().code() == Code::kDatabase);
  CHECK(read.status().message().find("not a pageload HTTP cache") != std::string::npos);
  CHECK_FALSE(write_http_cache(dir.path(), {sample("http://a.test/")}).ok());
  CHECK(read_bytes(http_cache_path(dir.path())) == before);
}

TEST_CASE("a cache directory that is not a directory is a file error") {
  ScratchDir dir;
  std::ofstream(dir.file("plain")) << "x";
  auto read = read_http_cache(dir.file("plain"));
  REQUIRE_FALSE(read.ok());
  CHECK(read.status().code() == Code::kFile);
  CHECK(write_http_cache(dir.file("missing"), {}).code() == Code::kFile);
}
