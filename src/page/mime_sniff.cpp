#include "page/mime_sniff.h"

#include <array>

namespace pageload::page {
namespace {

// net's kSniffableTags, in its order: the first that matches decides.
struct Magic {
  std::string_view prefix;
  bool html;
};
constexpr std::array<Magic, 18> kSniffableTags = {{
    {"<?xml", false},  // text/xml
    {"<!DOCTYPE html", true}, {"<script", true}, {"<html", true}, {"<!--", true},  {"<head", true},
    {"<iframe", true},        {"<h1", true},     {"<div", true},  {"<font", true}, {"<table", true},
    {"<a", true},             {"<style", true},  {"<title", true}, {"<b", true},   {"<body", true},
    {"<br", true},            {"<p", true},
}};

bool is_white(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (lower(text[i]) != lower(prefix[i])) return false;
  return true;
}

}  // namespace

bool sniffs_as_html(std::string_view head) {
  head = head.substr(0, 512);  // "For HTML, we are willing to consider up to 512 bytes."
  while (!head.empty() && is_white(head.front())) head.remove_prefix(1);
  for (const Magic& m : kSniffableTags)
    if (starts_with_ci(head, m.prefix)) return m.html;
  return false;
}

bool is_unknown_media_type(std::string_view media_type) {
  return media_type.empty() || media_type == "unknown/unknown" || media_type == "application/unknown" ||
         media_type == "*/*" || media_type.find('/') == std::string_view::npos;
}

}  // namespace pageload::page
