// Sentences about a run as a page that the terminal summary and the HTML report both say,
// worded once here. Plain text: each caller escapes it for where it goes.
#pragma once

#include <string>

#include "pageload/result.h"

namespace pageload {

// Whether `run` loaded a page (not --document-only, the redirect chain alone), from the
// options it was stored with.
bool loaded_as_page(const Run& run);

// Why a page is its document alone: the final document was not HTML, so nothing was
// parsed out of it (a browser shows or downloads such a response, it names nothing).
// Empty for HTML, a failed document or --document-only. The Content-Type is as the
// server sent it: escape the sentence.
std::string document_not_parsed_note(const Run& run);

}  // namespace pageload
