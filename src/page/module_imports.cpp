#include "page/module_imports.h"

#include <algorithm>
#include <array>
#include <optional>
#include <set>

#include "core/text.h"
#include "core/url.h"
#include "page/import_map.h"

namespace pageload::page {
namespace {

enum class Kind { kIdent, kString, kPunct, kOther, kEnd };

struct Token {
  Kind kind = Kind::kEnd;
  std::string text;  // an identifier's name, a string's value, a punctuator
};

bool ident_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
         c == '\\' || u >= 0x80;
}

bool digit(char c) { return c >= '0' && c <= '9'; }

// After these keywords a `/` starts a regular expression, as after an operator.
constexpr std::array<std::string_view, 14> kBeforeExpression{
    "return", "typeof", "instanceof", "in", "of", "new", "delete", "void",
    "throw",  "case",   "do",         "else", "yield", "await"};

// JavaScript's tokens, as far as finding imports needs them: identifiers, strings (their
// value), punctuators one character at a time ("++" and "--" whole), and the rest
// (numbers, template literals, regular expressions) as kOther. Whether a `/` divides or
// starts a regular expression is decided by the token before it.
class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {
    if (s_.substr(0, 2) == "#!") skip_line();  // a hashbang line
  }

  Token next() {
    Token t = lex();
    prev_ = t;
    return t;
  }

 private:
  void skip_line() {
    while (i_ < s_.size() && s_[i_] != '\n' && s_[i_] != '\r') ++i_;
  }

  void skip_space_and_comments() {
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        ++i_;
      } else if (c == '/' && i_ + 1 < s_.size() && s_[i_ + 1] == '/') {
        skip_line();
      } else if (c == '/' && i_ + 1 < s_.size() && s_[i_ + 1] == '*') {
        const auto end = s_.find("*/", i_ + 2);
        i_ = end == std::string_view::npos ? s_.size() : end + 2;
      } else if (static_cast<unsigned char>(c) == 0xC2 && i_ + 1 < s_.size() &&
                 static_cast<unsigned char>(s_[i_ + 1]) == 0xA0) {
        i_ += 2;  // no-break space
      } else {
        return;
      }
    }
  }

  // Whether a `/` here starts a regular expression: at the start, after an operator or
  // an opening bracket, or after a keyword that takes an expression; not after a value
  // (an identifier, a number, a string, a closing bracket, a postfix ++ or --).
  bool regex_allowed() const {
    switch (prev_.kind) {
      case Kind::kEnd: return true;
      case Kind::kString:
      case Kind::kOther: return false;
      case Kind::kIdent:
        return std::find(kBeforeExpression.begin(), kBeforeExpression.end(), prev_.text) != kBeforeExpression.end();
      case Kind::kPunct:
        return prev_.text != ")" && prev_.text != "]" && prev_.text != "}" && prev_.text != "++" && prev_.text != "--";
    }
    return true;
  }

  // A quoted string from its opening quote; its value with escapes read (a backslash
  // before a line break continues the line; \xHH, \uHHHH and \u{H...} as UTF-8).
  Token string() {
    const char quote = s_[i_++];
    Token t{Kind::kString, {}};
    while (i_ < s_.size()) {
      const char c = s_[i_++];
      if (c == quote) return t;
      if (c == '\n' || c == '\r') return t;  // unterminated: ends at the line
      if (c != '\\') {
        t.text += c;
        continue;
      }
      if (i_ >= s_.size()) break;
      const char e = s_[i_++];
      switch (e) {
        case '\r':
          if (i_ < s_.size() && s_[i_] == '\n') ++i_;
          break;
        case '\n': break;
        case 'n': t.text += '\n'; break;
        case 't': t.text += '\t'; break;
        case 'r': t.text += '\r'; break;
        case 'b': t.text += '\b'; break;
        case 'f': t.text += '\f'; break;
        case 'v': t.text += '\v'; break;
        case '0': t.text += '\0'; break;
        case 'x': append_code_point(t.text, hex(2)); break;
        case 'u':
          if (i_ < s_.size() && s_[i_] == '{') {
            ++i_;
            const auto close = s_.find('}', i_);
            const std::size_t n = close == std::string_view::npos ? 0 : close - i_;
            append_code_point(t.text, n > 0 && n <= 6 ? hex(n) : std::nullopt);
            if (close != std::string_view::npos) i_ = close + 1;
          } else {
            append_code_point(t.text, hex(4));
          }
          break;
        default: t.text += e;
      }
    }
    return t;
  }

  std::optional<unsigned long> hex(std::size_t n) {
    if (i_ + n > s_.size()) return std::nullopt;
    unsigned long v = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const char c = s_[i_ + k];
      const int d = digit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
      if (d < 0) return std::nullopt;
      v = v * 16 + static_cast<unsigned long>(d);
    }
    i_ += n;
    return v;
  }

  static void append_code_point(std::string& out, std::optional<unsigned long> cp) {
    if (cp && *cp <= 0x10FFFF) append_utf8(out, static_cast<char32_t>(*cp));
  }

  // The characters of a template literal from just after a backtick or a `}` that closes a
  // substitution: up to its closing backtick (the literal ends) or the next `${` (a
  // substitution opens: its expression is lexed as tokens until its `}`).
  Token template_chars() {
    while (i_ < s_.size()) {
      const char c = s_[i_++];
      if (c == '\\') {
        ++i_;
      } else if (c == '`') {
        return Token{Kind::kOther, "`"};
      } else if (c == '$' && i_ < s_.size() && s_[i_] == '{') {
        ++i_;
        substitutions_.push_back(braces_);
        return Token{Kind::kPunct, "${"};
      }
    }
    return Token{Kind::kOther, "`"};
  }

  Token regex() {
    ++i_;  // the opening slash
    bool in_class = false;
    while (i_ < s_.size()) {
      const char c = s_[i_++];
      if (c == '\\') {
        ++i_;
      } else if (c == '\n' || c == '\r') {
        break;  // not a regular expression after all: go on from the next line
      } else if (in_class) {
        in_class = c != ']';
      } else if (c == '[') {
        in_class = true;
      } else if (c == '/') {
        while (i_ < s_.size() && ident_char(s_[i_])) ++i_;  // flags
        break;
      }
    }
    return Token{Kind::kOther, "/re/"};
  }

  Token lex() {
    skip_space_and_comments();
    if (i_ >= s_.size()) return Token{Kind::kEnd, {}};
    const char c = s_[i_];
    if (c == '"' || c == '\'') return string();
    if (c == '`') {
      ++i_;
      return template_chars();
    }
    if (digit(c) || (c == '.' && i_ + 1 < s_.size() && digit(s_[i_ + 1]))) {
      while (i_ < s_.size() && (ident_char(s_[i_]) || s_[i_] == '.')) ++i_;
      return Token{Kind::kOther, "0"};
    }
    if (ident_char(c) || c == '#') {  // '#': a private name
      const std::size_t start = i_++;
      while (i_ < s_.size() && ident_char(s_[i_])) ++i_;
      return Token{Kind::kIdent, std::string(s_.substr(start, i_ - start))};
    }
    if (c == '/' && regex_allowed()) return regex();
    ++i_;
    if (c == '{') {
      ++braces_;
    } else if (c == '}') {
      if (!substitutions_.empty() && substitutions_.back() == braces_) {
        substitutions_.pop_back();
        return template_chars();  // the substitution ends: the template goes on
      }
      if (braces_ > 0) --braces_;
    } else if ((c == '+' || c == '-') && i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return Token{Kind::kPunct, std::string(2, c)};
    }
    return Token{Kind::kPunct, std::string(1, c)};
  }

  std::string_view s_;
  std::size_t i_ = 0;
  Token prev_;
  int braces_ = 0;                   // `{` open outside template literals' text
  std::vector<int> substitutions_;   // braces_ at each open `${`
};

// The tokens with one of lookahead, and the one before the current (a `.` before
// `import` makes it a property name).
class Tokens {
 public:
  explicit Tokens(std::string_view s) : lexer_(s) { peeked_ = lexer_.next(); }
  const Token& peek() const { return peeked_; }
  Token take() {
    Token t = std::move(peeked_);
    peeked_ = lexer_.next();
    return t;
  }
  bool punct(std::string_view p) const { return peeked_.kind == Kind::kPunct && peeked_.text == p; }
  bool ident(std::string_view name) const { return peeked_.kind == Kind::kIdent && peeked_.text == name; }
  bool at_end() const { return peeked_.kind == Kind::kEnd; }

 private:
  Lexer lexer_;
  Token peeked_;
};

// Past a `{ ... }` of import or export names (the `{` taken already). Names may be
// strings (`{"a-b" as c}`); a list this long is no list of names.
bool skip_names(Tokens& t) {
  constexpr int kMaxNameTokens = 100000;
  for (int n = 0; n < kMaxNameTokens && !t.at_end(); ++n) {
    if (t.punct("}")) {
      t.take();
      return true;
    }
    if (t.punct("{")) return false;
    t.take();
  }
  return false;
}

// `from "x"`: the specifier, else nothing (and nothing taken past what did not fit).
std::optional<std::string> from_clause(Tokens& t) {
  if (!t.ident("from")) return std::nullopt;
  t.take();
  if (t.peek().kind != Kind::kString) return std::nullopt;
  return t.take().text;
}

// After `import`: `"x"`, or `[default][,] [* as ns | {names}] from "x"`; not `import(`
// (dynamic) nor `import.meta`.
std::optional<std::string> import_declaration(Tokens& t) {
  if (t.peek().kind == Kind::kString) return t.take().text;
  if (t.punct("(") || t.punct(".")) return std::nullopt;
  bool bound = false;
  if (t.peek().kind == Kind::kIdent) {
    // A default binding, which may itself be named `from`: `import from from "x"`.
    Token name = t.take();
    if (name.text == "from" && t.peek().kind == Kind::kString) return std::nullopt;
    bound = true;
    if (t.punct(",")) t.take();
  }
  if (t.punct("*")) {
    t.take();
    if (!t.ident("as")) return std::nullopt;
    t.take();
    if (t.peek().kind != Kind::kIdent) return std::nullopt;
    t.take();
  } else if (t.punct("{")) {
    t.take();
    if (!skip_names(t)) return std::nullopt;
  } else if (!bound) {
    return std::nullopt;
  }
  return from_clause(t);
}

// After `export`: `* [as name] from "x"` or `{names} from "x"`; any other export names no
// module.
std::optional<std::string> export_declaration(Tokens& t) {
  if (t.punct("*")) {
    t.take();
    if (t.ident("as")) {
      t.take();
      if (t.peek().kind != Kind::kIdent && t.peek().kind != Kind::kString) return std::nullopt;
      t.take();
    }
    return from_clause(t);
  }
  if (t.punct("{")) {
    t.take();
    if (!skip_names(t)) return std::nullopt;
    return from_clause(t);
  }
  return std::nullopt;
}

}  // namespace

ModuleImports scan_module_imports(std::string_view source, std::size_t max_specifiers) {
  ModuleImports out;
  Tokens t(source);
  bool after_dot = false;  // `x.import` and `x?.import` are property names
  while (!t.at_end()) {
    const bool keyword = !after_dot && (t.ident("import") || t.ident("export"));
    if (!keyword) {
      after_dot = t.punct(".");
      t.take();
      continue;
    }
    const bool is_import = t.take().text == "import";
    after_dot = false;
    auto specifier = is_import ? import_declaration(t) : export_declaration(t);
    if (!specifier) continue;
    if (out.specifiers.size() >= max_specifiers) {
      out.capped = true;
      break;
    }
    out.specifiers.push_back(std::move(*specifier));
  }
  return out;
}

ModuleReferences module_import_references(const std::string& module_url, std::string_view source,
                                          bool cors_anonymous, std::size_t max_url_bytes, const ImportMap* import_map) {
  ModuleReferences out;
  auto base = parse_url(module_url);
  if (!base.ok()) return out;
  if (import_map && import_map->empty()) import_map = nullptr;
  constexpr std::size_t kMaxImports = 1000;
  ModuleImports imports = scan_module_imports(source, kMaxImports);
  if (imports.capped) out.notes.push_back("only the first " + std::to_string(kMaxImports) + " static imports read");
  std::set<std::string> seen;
  std::vector<std::string> unresolved, blocked;
  for (const std::string& spec : imports.specifiers) {
    if (spec.size() > max_url_bytes) {
      out.notes.push_back("a static import longer than " + std::to_string(max_url_bytes) + " bytes not fetched");
      continue;
    }
    const Resolved resolved = resolve_module_specifier(spec, base->full, import_map);
    if (!resolved.url) {
      auto& list = resolved.blocked ? blocked : unresolved;
      if (std::find(list.begin(), list.end(), spec) == list.end()) list.push_back(spec);
      continue;
    }
    const std::string scheme = reference_scheme(*resolved.url);
    if (scheme != "http" && scheme != "https") continue;  // data:, blob:: no request
    if (resolved.url->size() > max_url_bytes) continue;
    std::string full = resolved.url->substr(0, resolved.url->find('#'));
    if (!seen.insert(full).second) continue;
    Reference r;
    r.url = std::move(full);
    r.type = ResourceType::kScript;
    r.found_by = "module import";
    r.module = true;
    r.cors_anonymous = cors_anonymous;
    out.references.push_back(std::move(r));
  }
  if (!unresolved.empty() || !blocked.empty()) {
    // HTML's "create a JavaScript module script": a specifier that does not resolve is the
    // module's parse error, and a module with one has no descendants fetched at all
    // (Chromium, checked on the lab's /page/modules, fetches none of its imports).
    out.references.clear();
    auto named = [](const std::vector<std::string>& specs) {
      std::string names;
      constexpr std::size_t kNamesShown = 5;
      for (std::size_t k = 0; k < specs.size() && k < kNamesShown; ++k)
        names += (k ? ", '" : "'") + specs[k].substr(0, 80) + "'";
      if (specs.size() > kNamesShown) names += ", ...";
      return names;
    };
    std::string why;
    if (!unresolved.empty())
      why = std::to_string(unresolved.size()) + " bare specifier" + (unresolved.size() == 1 ? " (" : "s (") +
            named(unresolved) + ") " +
            (import_map ? "that the page's import map does not map" : "and no import map on the page to resolve them");
    if (!blocked.empty())
      why += (why.empty() ? "" : "; ") + std::to_string(blocked.size()) + " specifier" +
             (blocked.size() == 1 ? " (" : "s (") + named(blocked) + ") that an import map entry blocks";
    out.notes.push_back("static imports not fetched: " + why +
                        ": the module fails and Chromium fetches none of its imports");
  }
  return out;
}

}  // namespace pageload::page
