// Whether a document served with no usable Content-Type is HTML, as Chromium decides it
// (net/base/mime_sniffer.cc: SniffMimeType's SniffForHTML): in its first 512 bytes, after
// leading white space, it starts with one of a list of tags, compared without case as a
// plain prefix ("<!DOCTYPE html", "<script", "<html", "<!--", "<head", ..., "<p": so "<pre"
// counts too); "<?xml" is XML, not HTML. Chromium sniffs only a type it does not know
// (none, unknown/unknown, application/unknown, */*, one without a '/'), never one sent with
// X-Content-Type-Options: nosniff, and decides once it has kMaxSniffBytes or the whole body.
#pragma once

#include <cstddef>
#include <string_view>

namespace pageload::page {

// The bytes Chromium's network service waits for before it sniffs (net::kMaxBytesToSniff).
inline constexpr std::size_t kMaxSniffBytes = 1024;

// `head`: the body's first bytes (kMaxSniffBytes, or the whole body if shorter).
bool sniffs_as_html(std::string_view head);

// Whether Chromium sniffs a response of this media type (lower case, without parameters)
// for HTML at all.
bool is_unknown_media_type(std::string_view media_type);

}  // namespace pageload::page
