// Small resources for the lab's pages (/page/asset/NAME.EXT): valid images (PNG, GIF,
// SVG, ICO), font-typed bytes, and empty-but-valid stylesheets and scripts, typed by
// the name's extension and padded to a size on request in a way each format allows, so
// a browser renders or runs them and fetches nothing more because of them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pageload::lab {

struct Asset {
  std::string content_type;
  std::string bytes;
};

// The largest `size` make_asset() pads to.
constexpr uint64_t kMaxAssetBytes = 16u << 20;

// The largest width and height of a PNG asset.
constexpr int kMaxAssetPixels = 256;

// The asset named `name` (its extension picks the type; the rest picks an image's
// colour), at least `size` bytes long (capped at kMaxAssetBytes); a PNG `px` pixels wide
// and high (1 to kMaxAssetPixels: icons of a declared size). nullopt for an
// extension the lab does not make. Fonts are not real fonts: a browser fetches them and
// fails to decode them.
std::optional<Asset> make_asset(std::string_view name, uint64_t size, int px = 1);

}  // namespace pageload::lab
