// parse_url and resolve_location: the input's first line is a base URL typed by a user,
// the rest a Location header. Whatever they hold, a URL that comes out is loadable.
#include <clocale>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/url.h"

using namespace pageload;

namespace {

void check_loadable(const Url& u) {
  if (u.scheme != "http" && u.scheme != "https") std::abort();
  if (u.port < 1 || u.port > 65535) std::abort();
  if (u.host.empty() || u.full.empty()) std::abort();
  if (u.full.size() > kMaxUrlLength) std::abort();
  // What we follow must parse again as a URL a user could have typed.
  auto again = parse_url(u.full);
  if (!again.ok() || again->full != u.full) std::abort();
}

}  // namespace

// As pageload's main does: IDN hosts convert to punycode in a UTF-8 locale.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::setlocale(LC_CTYPE, "C.UTF-8");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto newline = input.find('\n');
  std::string_view base_text = input.substr(0, newline);
  std::string_view location = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

  (void)reference_scheme(input);
  if (auto whole = parse_url(input); whole.ok()) check_loadable(*whole);
  auto base = parse_url(base_text);
  if (!base.ok()) return 0;
  check_loadable(*base);
  (void)reference_scheme(location);
  if (auto next = resolve_location(*base, location); next.ok()) check_loadable(*next);
  return 0;
}
