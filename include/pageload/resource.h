// What a request fetched and how urgently: its resource type and its priority, as a
// browser assigns them. Each enum has one table of stable names (stored in the database,
// shown by the CLI and the report); nothing else spells them.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace pageload {

// What a request fetched, by what asked for it (not by its Content-Type): an iframe's
// document is a document; a font is a font whatever the server called it.
enum class ResourceType { kDocument = 0, kStylesheet, kScript, kImage, kFont, kMedia, kOther };
inline constexpr std::array<std::string_view, 7> kResourceTypeNames{
    "document", "stylesheet", "script", "image", "font", "media", "other"};

constexpr std::string_view resource_type_name(ResourceType t) {
  return kResourceTypeNames[static_cast<int>(t)];
}
constexpr std::optional<ResourceType> resource_type_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kResourceTypeNames.size(); ++i)
    if (kResourceTypeNames[i] == name) return static_cast<ResourceType>(i);
  return std::nullopt;
}

// Chromium's request priorities, named as Chrome DevTools shows them. Blink computes
// them (VeryHigh..VeryLow) and the network stack carries them as net::HIGHEST, MEDIUM,
// LOW, LOWEST, IDLE, in that order.
enum class Priority { kLowest = 0, kLow, kMedium, kHigh, kHighest };
inline constexpr std::array<std::string_view, 5> kPriorityNames{"lowest", "low", "medium", "high", "highest"};

constexpr std::string_view priority_name(Priority p) { return kPriorityNames[static_cast<int>(p)]; }
constexpr std::optional<Priority> priority_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kPriorityNames.size(); ++i)
    if (kPriorityNames[i] == name) return static_cast<Priority>(i);
  return std::nullopt;
}

// The HTTP/2 stream weight Chromium sends for a priority (net/spdy: priority 0..4 mapped
// onto 256..110 in steps of 255.9 / 7).
constexpr int http2_weight(Priority p) {
  constexpr std::array<int, 5> kWeights{110, 147, 183, 220, 256};
  return kWeights[static_cast<int>(p)];
}

}  // namespace pageload
