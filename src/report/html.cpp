#include "report/html.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string_view>

#include "core/file.h"
#include "report/page_assets.h"
#include "report/view.h"
#include "report/waterfall.h"

namespace pageload::embedded {
extern const char report_template[];
extern const std::size_t report_template_size;
extern const char report_css[];
extern const std::size_t report_css_size;
extern const char report_js[];
extern const std::size_t report_js_size;
}  // namespace pageload::embedded

namespace pageload::report {

namespace {

namespace emb = pageload::embedded;

std::string_view embedded(const char* data, std::size_t size) { return {data, size}; }

// The CSP source for an inline script: 'sha256-BASE64'. The page's CSP allows only
// this exact script, so even markup that slipped past escaping could run nothing.
// SHA-256 by OpenSSL's low-level functions, not EVP_Digest: EVP's first digest fetches
// from the provider and builds its algorithm tables, 3 million instructions (9% of a whole
// `pageload run` of an http URL), where hashing the script itself takes 20 thousand.
std::array<unsigned char, SHA256_DIGEST_LENGTH> sha256(std::string_view bytes) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"  // deprecated in 3.0, still the plain code
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, bytes.data(), bytes.size());
  SHA256_Final(digest.data(), &ctx);
#pragma GCC diagnostic pop
  return digest;
}

std::string csp_script_hash(std::string_view script) {
  const auto digest = sha256(script);
  const unsigned int len = SHA256_DIGEST_LENGTH;
  std::string b64(4 * ((len + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), digest.data(),
                                static_cast<int>(len));
  b64.resize(n);
  return "sha256-" + b64;
}

// The template with the line breaks (and indentation) between two tags, HTML or mustache,
// taken out. They are there for people reading web/; in the page each is a whitespace
// text node in the DOM, 20,000 of them in a 1,000-row report. A break next to text stays;
// a break the page needs (the line separator of a header list) is written &#10;.
std::string without_breaks_between_tags(std::string_view in) {
  auto ends_tag = [&](std::size_t end) {  // in[0, end) ends with '>' or "}}"
    return end >= 1 && (in[end - 1] == '>' || (end >= 2 && in.substr(end - 2, 2) == "}}"));
  };
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    if (in[i] != ' ' && in[i] != '\n') {
      out += in[i++];
      continue;
    }
    std::size_t j = i;
    while (j < in.size() && (in[j] == ' ' || in[j] == '\n')) ++j;
    const std::string_view run = in.substr(i, j - i);
    const bool tag_next = (j < in.size() && in[j] == '<') || in.substr(j, 2) == "{{";
    const bool drop = run.find('\n') != std::string_view::npos && ends_tag(i) && tag_next;
    if (!drop) out += run;
    i = j;
  }
  return out;
}

// The first 8 bytes of a digest as 16 hex digits: enough to tell databases apart, and
// nothing of what was hashed.
std::string short_hex(const std::array<unsigned char, SHA256_DIGEST_LENGTH>& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < 8; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

constexpr std::string_view kMarkerMeta = "<meta name=\"pageload-database\" content=\"";
constexpr std::size_t kMarkerWithin = 4096;  // the marker is in the head's first lines

}  // namespace

std::string database_marker(std::string_view identity) {
  if (identity.empty()) return "";
  return "db:" + short_hex(sha256("pageload database " + std::string(identity)));
}

std::string legacy_database_marker(const std::string& database_path) {
  // Symbolic links resolved, so two names of one file are one database.
  std::error_code ec;
  std::filesystem::path where = std::filesystem::weakly_canonical(database_path, ec);
  if (ec) where = std::filesystem::absolute(database_path, ec);
  if (ec) where = database_path;
  return "sha256:" + short_hex(sha256(where.lexically_normal().string()));
}

DatabaseMark database_mark(std::string_view identity, const std::string& database_path, bool older_than_ids) {
  return DatabaseMark{database_marker(identity), older_than_ids ? legacy_database_marker(database_path) : ""};
}

std::string read_database_marker(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return "";
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return "";
  std::string head(kMarkerWithin, '\0');
  std::size_t got = 0;
  while (got < head.size()) {
    const ssize_t n = ::read(fd, head.data() + got, head.size() - got);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  head.resize(got);
  const std::size_t at = head.find(kMarkerMeta);
  if (at == std::string::npos) return "";
  const std::size_t from = at + kMarkerMeta.size(), end = head.find('"', from);
  return end == std::string::npos ? "" : head.substr(from, end - from);
}

std::string render_html(const Run& run, const std::string& database) {
  const Waterfall waterfall = layout_waterfall(run);
  Data data = page_view(run, waterfall);
  put(data, "database", database.empty() ? Data{false} : Data{database});
  static const std::string js = js_for_page(embedded(emb::report_js, emb::report_js_size));
  static const std::string hash = csp_script_hash(js);
  static const std::string css = css_for_page(embedded(emb::report_css, emb::report_css_size));
  // The stylesheet goes in after the page is written, with only the rules for the classes
  // it has: a page without a DNS walk, a proxy or a failure carries none of their styles.
  static constexpr std::string_view kCssHere = "\x01pageload-css\x01";
  put(data, "css", std::string(kCssHere));
  put(data, "js", js);
  put(data, "script_hash", hash);
  // Parsed once per thread: kainjow's render is not const, so threads must not share a
  // template, but parsing it (1.8 million instructions) for every report was 40% of the
  // work per run of `pageload run --parallel N`. A render that leaves an error behind
  // (only partials and lambdas can, and the template has none) gets a fresh parse.
  thread_local std::optional<kainjow::mustache::mustache> tmpl;
  if (!tmpl || !tmpl->is_valid())
    tmpl.emplace(without_breaks_between_tags(embedded(emb::report_template, emb::report_template_size)));
  if (!tmpl->is_valid()) return "<!DOCTYPE html><p>report template error</p>";
  std::string out;
  out.reserve(4096 + run.requests.size() * 2048);
  tmpl->render(data, [&out](const std::string& s) { out += s; });
  if (const std::size_t at = out.find(kCssHere, out.find("<style>")); at != std::string::npos)
    out.replace(at, kCssHere.size(), css_for_classes(css, classes_of(out, js)));
  return out;
}

Status check_not_other_database(const std::string& path, const DatabaseMark& database,
                                std::string_view if_other_database) {
  if (if_other_database.empty() || database.marker.empty()) return Status::Ok();
  const std::string there = read_database_marker(path);
  if (there.empty() || there == database.marker || there == database.legacy) return Status::Ok();
  return Status(Code::kFile, "report: " + path + " is the report of a run of another database (" + there +
                                 ", this one is " + database.marker + "); not replaced: remove it, or " +
                                 std::string(if_other_database));
}

namespace {

Status write_checked(const std::string& path, const std::string& html) {
  Status s = write_file_replacing(path, html);
  if (s.ok()) return s;
  return Status(s.code(), "report: " + s.message());
}

}  // namespace

Status write_html_report(const Run& run, const std::string& path, const DatabaseMark& database,
                         std::string_view if_other_database) {
  if (Status s = check_not_other_database(path, database, if_other_database); !s.ok()) return s;
  return write_checked(path, render_html(run, database.marker));
}

Status write_rendered_report(const std::string& html, const std::string& path, const DatabaseMark& database,
                             std::string_view if_other_database) {
  if (Status s = check_not_other_database(path, database, if_other_database); !s.ok()) return s;
  return write_checked(path, html);
}

}  // namespace pageload::report
