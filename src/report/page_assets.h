// The stylesheet and script as a report page embeds them: the files of web/ made smaller
// without changing what they do (comments, indentation, and rules for classes the page
// does not have). Plain text work on our own two files, whose shape the functions state;
// not a CSS or JavaScript parser.
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace pageload::report {

// report.css without its comments, line breaks and indentation, and the spaces after
// ':' ';' ',' '{' and around '}' and '{'.
std::string css_for_page(std::string_view css);

// report.js without its whole-line comments and each line's indentation.
std::string js_for_page(std::string_view js);

// Every class a page can carry: those in its class="…" attributes, and those its script
// adds (classList.add/toggle("name"…)).
std::set<std::string, std::less<>> classes_of(std::string_view html, std::string_view js);

// `css` (as css_for_page made it) without the rules none of whose selectors can match:
// a selector naming a class not in `classes` matches nothing. A rule inside @media is
// judged alone; an at-rule left empty goes too.
std::string css_for_classes(std::string_view css, const std::set<std::string, std::less<>>& classes);

}  // namespace pageload::report
