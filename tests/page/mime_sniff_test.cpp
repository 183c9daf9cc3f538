#include <catch2/catch.hpp>

#include <string>

#include "page/mime_sniff.h"

using namespace pageload::page;

// As net/base/mime_sniffer.cc's SniffForHTML: a plain prefix compared without case, after
// leading white space, within the first 512 bytes.
TEST_CASE("a body sniffs as HTML when it starts with one of Chromium's tags") {
  CHECK(sniffs_as_html("<!doctype html><p>x"));
  CHECK(sniffs_as_html("\r\n \t\f\v<HTML lang=en>"));
  CHECK(sniffs_as_html("<!-- a comment -->"));
  CHECK(sniffs_as_html("<pre>code</pre>"));      // "<p" is a prefix of it
  CHECK(sniffs_as_html("<bogus>"));              // so is "<b"
  CHECK(sniffs_as_html("<Script>1</script>"));
  CHECK_FALSE(sniffs_as_html("<?xml version='1.0'?><html>"));  // XML
  CHECK_FALSE(sniffs_as_html("{\"html\": \"<p>\"}"));
  CHECK_FALSE(sniffs_as_html("hello <html>"));
  CHECK_FALSE(sniffs_as_html("<svg xmlns='http://www.w3.org/2000/svg'>"));
  CHECK_FALSE(sniffs_as_html(""));
  CHECK_FALSE(sniffs_as_html("<!DOCTYPE svg>"));
  CHECK_FALSE(sniffs_as_html("\xef\xbb\xbf<html>"));  // a byte order mark is not white space to it
  CHECK_FALSE(sniffs_as_html(std::string(512, ' ') + "<html>"));  // past the 512 bytes it reads
  CHECK(sniffs_as_html(std::string(510, ' ') + "<p"));  // "<p" ends at byte 512
}

TEST_CASE("only a type that says nothing is sniffed") {
  for (const char* t : {"", "unknown/unknown", "application/unknown", "*/*", "garbage"}) CHECK(is_unknown_media_type(t));
  for (const char* t : {"text/plain", "application/octet-stream", "application/json", "text/html"})
    CHECK_FALSE(is_unknown_media_type(t));
}
