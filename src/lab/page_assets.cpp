#include "lab/page_assets.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdio>

namespace pageload::lab {
namespace {

std::string_view extension_of(std::string_view name) {
  std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || name.find('/', dot) != std::string_view::npos) return {};
  return name.substr(dot + 1);
}

// A colour of the name's own (FNV-1a), so the pages' images are told apart on screen.
std::array<unsigned char, 3> colour_of(std::string_view name) {
  uint32_t h = 2166136261u;
  for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return {static_cast<unsigned char>(h >> 16), static_cast<unsigned char>(h >> 8), static_cast<unsigned char>(h)};
}

void put32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xff);
}

void png_chunk(std::string& out, std::string_view type, std::string_view data) {
  put32(out, static_cast<uint32_t>(data.size()));
  std::string body(type);
  body += data;
  out += body;
  put32(out, static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()))));
}

// A PNG of `px` by `px` pixels of the name's colour; `pad` bytes of text in a tEXt
// Comment chunk.
std::string png(std::string_view name, std::size_t pad, int px = 1) {
  std::string out = "\x89PNG\r\n\x1a\n";
  std::string ihdr;
  put32(ihdr, static_cast<uint32_t>(px));
  put32(ihdr, static_cast<uint32_t>(px));
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB, no interlace
  png_chunk(out, "IHDR", ihdr);
  if (pad > 0) png_chunk(out, "tEXt", "Comment" + std::string(1, '\0') + std::string(pad, ' '));
  auto rgb = colour_of(name);
  std::string rows;
  for (int y = 0; y < px; ++y) {
    rows += '\0';  // filter type 0
    for (int x = 0; x < px; ++x) rows.append(reinterpret_cast<const char*>(rgb.data()), 3);
  }
  std::string packed(compressBound(static_cast<uLong>(rows.size())), '\0');
  uLongf packed_size = static_cast<uLongf>(packed.size());
  compress(reinterpret_cast<Bytef*>(packed.data()), &packed_size, reinterpret_cast<const Bytef*>(rows.data()),
           static_cast<uLong>(rows.size()));
  png_chunk(out, "IDAT", std::string_view(packed.data(), packed_size));
  png_chunk(out, "IEND", "");
  return out;
}

// A 1x1 GIF; padding in comment extension blocks.
std::string gif(std::size_t pad) {
  std::string out("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff", 19);
  if (pad > 0) {
    out += "\x21\xfe";
    for (std::size_t left = pad; left > 0;) {
      std::size_t n = std::min<std::size_t>(left, 255);
      out += static_cast<char>(n);
      out += std::string(n, ' ');
      left -= n;
    }
    out += '\0';
  }
  out += std::string("\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b", 16);
  return out;
}

std::string svg(std::string_view name, std::size_t pad) {
  auto rgb = colour_of(name);
  char colour[8];
  std::snprintf(colour, sizeof colour, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"16\" height=\"16\">"
                    "<rect width=\"16\" height=\"16\" fill=\"" + std::string(colour) + "\"/></svg>\n";
  if (pad > 0) out += "<!--" + std::string(pad, ' ') + "-->\n";
  return out;
}

// An ICO holding one PNG image (the Vista format browsers read).
std::string ico(std::string_view name, std::size_t pad) {
  std::string image = png(name, pad);
  std::string out("\x00\x00\x01\x00\x01\x00", 6);  // reserved, type 1 (icon), one image
  out += std::string("\x01\x01\x00\x00\x01\x00\x20\x00", 8);  // 1x1, no palette, 1 plane, 32 bpp
  auto le32 = [&out](uint32_t v) {
    for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  };
  le32(static_cast<uint32_t>(image.size()));
  le32(22);  // the image follows the 6-byte header and the 16-byte entry
  return out + image;
}

// A real sound: 8 kHz 8-bit mono PCM silence, 800 samples (0.1 s) or enough for `size`
// bytes, so a browser decodes it (and does not fall back to another <source>).
std::string wav(std::size_t size) {
  const uint32_t samples = static_cast<uint32_t>(std::max<std::size_t>(800, size > 44 ? size - 44 : 0));
  std::string out = "RIFF";
  auto le = [&out](uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  };
  le(36 + samples, 4);
  out += "WAVEfmt ";
  le(16, 4);     // the fmt chunk's size
  le(1, 2);      // PCM
  le(1, 2);      // mono
  le(8000, 4);   // samples per second
  le(8000, 4);   // bytes per second
  le(1, 2);      // block align
  le(8, 2);      // bits per sample
  out += "data";
  le(samples, 4);
  out += std::string(samples, static_cast<char>(0x80));  // 8-bit PCM silence
  return out;
}

// Text with a comment of `pad` spaces in the language's own syntax.
std::string text(std::string_view body, std::string_view open, std::string_view close, std::size_t pad) {
  std::string out(body);
  if (pad > 0) out += std::string(open) + std::string(pad, ' ') + std::string(close);
  return out;
}

}  // namespace

std::optional<Asset> make_asset(std::string_view name, uint64_t size, int px) {
  std::string_view ext = extension_of(name);
  std::size_t want = static_cast<std::size_t>(std::min(size, kMaxAssetBytes));
  // Each format's bytes at no padding, then padded by what is missing, less what the
  // padding's own framing (a chunk header, comment delimiters) adds: so exactly `want`
  // bytes when the format allows, never fewer.
  auto sized = [want](auto make) {
    std::string bare = make(0);
    if (bare.size() >= want) return bare;
    std::size_t pad = want - bare.size();
    std::string padded = make(pad);
    std::size_t framing = padded.size() - want;
    if (framing == 0 || framing >= pad) return padded;
    std::string fitted = make(pad - framing);
    return fitted.size() >= want ? fitted : padded;
  };
  auto font = [&](std::string_view magic) {
    std::string bytes(magic);
    bytes += std::string(std::max<std::size_t>(want, 64) - bytes.size(), '\0');
    return bytes;
  };
  px = std::clamp(px, 1, kMaxAssetPixels);
  if (ext == "png") return Asset{"image/png", sized([&](std::size_t p) { return png(name, p, px); })};
  if (ext == "gif") return Asset{"image/gif", sized([&](std::size_t p) { return gif(p); })};
  if (ext == "svg") return Asset{"image/svg+xml", sized([&](std::size_t p) { return svg(name, p); })};
  if (ext == "ico") return Asset{"image/x-icon", sized([&](std::size_t p) { return ico(name, p); })};
  if (ext == "woff2") return Asset{"font/woff2", font("wOF2")};
  if (ext == "woff") return Asset{"font/woff", font("wOFF")};
  if (ext == "ttf") return Asset{"font/ttf", font(std::string_view("\x00\x01\x00\x00", 4))};
  if (ext == "otf") return Asset{"font/otf", font("OTTO")};
  if (ext == "eot") return Asset{"application/vnd.ms-fontobject", font("")};
  if (ext == "css")
    return Asset{"text/css; charset=utf-8",
                 sized([&](std::size_t p) { return text("/* a lab stylesheet */\n", "/*", "*/\n", p); })};
  if (ext == "js")
    return Asset{"text/javascript; charset=utf-8",
                 sized([&](std::size_t p) { return text("/* a lab script */\nvoid 0;\n", "//", "\n", p); })};
  if (ext == "mjs")
    return Asset{"text/javascript; charset=utf-8",
                 sized([&](std::size_t p) { return text("/* a lab module */\nexport {};\n", "//", "\n", p); })};
  // Media-typed bytes, not real media (like the fonts): a browser fetches them and fails
  // to decode them.
  if (ext == "mp3") return Asset{"audio/mpeg", font("ID3")};
  if (ext == "mp4") return Asset{"video/mp4", font(std::string_view("\x00\x00\x00\x18" "ftypmp42", 12))};
  if (ext == "wav") return Asset{"audio/wav", wav(want)};
  if (ext == "txt")
    return Asset{"text/plain; charset=utf-8", sized([&](std::size_t p) { return text("a lab text\n", "", "\n", p); })};
  return std::nullopt;
}

}  // namespace pageload::lab
