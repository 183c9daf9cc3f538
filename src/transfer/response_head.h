// The lines curl's header callback hands over for one exchange, taken apart: interim (1xx)
// responses, the final response's status line and header fields, and its trailers. Pure:
// no curl, fed line by line in the order curl delivers them, so hostile heads are tested
// and fuzzed (tests/fuzz/fuzz_response_head) without a server.
//
// What curl 7.88 passes through and this class decides:
//  - Trailers (fields after a chunked body) arrive through the same callback as headers.
//    Every line after the final response's head has ended is a trailer: never a new
//    status line (a trailer "HTTP/1.1 404 Not Found: x" is a field with an odd name),
//    never a header (a Location in a trailer is not the redirect target).
//  - An obs-fold line (starting with a space or tab) continues the previous field: its
//    text is appended to that field's value after one space (RFC 9112 5.2), never read
//    as a field of its own. One before any field is dropped (RFC 9112 2.2).
//  - A Content-Length over 2^63 - 1: curl reads such a body to the connection's close;
//    here it is a protocol violation that ends the exchange.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pageload/result.h"

namespace pageload::transfer {

class ResponseHead {
 public:
  // Fields kept per head (and per trailer block): curl bounds their total size (300 KB),
  // but 20,000 tiny fields fit in that and would each be a database row.
  static constexpr std::size_t kMaxFields = 1000;

  enum class Line {
    kInterimStatus,  // the status line of a 1xx response (its fields are not kept)
    kFinalStatus,    // the status line of the final response
    kField,          // a header field of the current head
    kFolded,         // an obs-fold line, appended to the previous field
    kHeadEnd,        // the blank line ending a head
    kTrailer,        // a trailer field (or a fold appended to the previous one)
    kIgnored,        // not a field (no colon, a fold with nothing before it, over the limit)
    kViolation,      // breaks HTTP in a way curl lets through: end the exchange (violation())
  };

  // One line as curl delivers it (CRLF included or not).
  Line feed(std::string_view line);

  // The status line of a response was seen (interim or final) / of the final response.
  bool any_status() const { return !status_line_.empty(); }
  bool final_status() const { return final_; }
  // The final response's head ended (its blank line came): what follows is body, then
  // trailers.
  bool final_head_complete() const { return final_ && state_ == State::kTrailers; }
  // The status code of the last status line (interim or final); 0 before any.
  int status() const { return status_; }
  const std::string& status_line() const { return status_line_; }
  // Codes of the interim responses, in order (100 Continue, 103 Early Hints, ...).
  const std::vector<int>& interim() const { return interim_; }
  // The final response's fields (the current interim response's before it arrives).
  std::vector<Header>& fields() { return fields_; }
  std::vector<Header>& trailers() { return trailers_; }
  // Why the response is refused (kViolation); empty otherwise.
  const std::string& violation() const { return violation_; }
  // Notes for the request's warnings: fields beyond kMaxFields, folded or dropped lines.
  std::vector<std::string> warnings() const;

 private:
  enum class State { kStatus, kHead, kTrailers };

  Line field(std::string_view line, std::vector<Header>& into, std::size_t& dropped, Line kind);
  Line fold(std::string_view line, std::vector<Header>& into, std::size_t dropped, Line kind);

  State state_ = State::kStatus;
  bool final_ = false;
  int status_ = 0;
  std::string status_line_;
  std::vector<int> interim_;
  std::vector<Header> fields_, trailers_;
  std::size_t fields_dropped_ = 0, trailers_dropped_ = 0;
  bool last_line_kept_ = false;  // the previous field line was kept (a fold may follow it)
  int folded_ = 0, fold_dropped_ = 0;
  std::string violation_;
};

// "123" -> true; a Content-Length value (digits, blanks around them) over 2^63 - 1.
bool content_length_overflows(std::string_view value);

}  // namespace pageload::transfer
