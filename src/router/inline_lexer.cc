#include "router/inline_lexer.h"

#include <cctype>
#include <utility>

#include "router/inline_java.h"

namespace shardproxy::router::inline_expr {

namespace {

bool identStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool identPart(char c) { return identStart(c) || (c >= '0' && c <= '9'); }

}  // namespace

bool Lexer::next(Token& tok) {
  while (pos_ < s_.size() &&
         (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
    ++pos_;
  }
  tok.off = static_cast<int32_t>(pos_);
  tok.value.clear();
  if (pos_ >= s_.size()) {
    tok.kind = TokenKind::End;
    tok.text = {};
    return true;
  }
  const char c = s_[pos_];
  const size_t start = pos_;
  if (c >= '0' && c <= '9') {
    // Digits, optional fraction (only when a digit follows the '.', so 0..9 is a range),
    // exponent, and suffix letters; checked when parsed.
    while (pos_ < s_.size() && (identPart(s_[pos_]))) ++pos_;
    if (pos_ + 1 < s_.size() && s_[pos_] == '.' && s_[pos_ + 1] >= '0' && s_[pos_ + 1] <= '9') {
      ++pos_;
      while (pos_ < s_.size() && identPart(s_[pos_])) ++pos_;
    }
    if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-') &&
        (s_[pos_ - 1] == 'e' || s_[pos_ - 1] == 'E')) {
      // An exponent sign: "1e-3". Only when the token so far is a plain decimal mantissa.
      bool mantissa = true;
      for (size_t k = start; k + 1 < pos_; ++k) {
        if (!((s_[k] >= '0' && s_[k] <= '9') || s_[k] == '.')) mantissa = false;
      }
      if (mantissa) {
        ++pos_;
        while (pos_ < s_.size() && identPart(s_[pos_])) ++pos_;
      }
    }
    tok.kind = TokenKind::Num;
    tok.text = s_.substr(start, pos_ - start);
    return true;
  }
  if (identStart(c)) {
    while (pos_ < s_.size() && identPart(s_[pos_])) ++pos_;
    tok.kind = TokenKind::Ident;
    tok.text = s_.substr(start, pos_ - start);
    return true;
  }
  if (c == '\'' || c == '"') return lexString(c, tok);
  static constexpr std::string_view kUnsupported[] = {
      ">>>=", "<=>", "**=", "==~", "<<=", ">>=", ">>>", "**", "<<", ">>", "=~", "?.", "*.",
      ".&",   ".@",  "->",  "++",  "--",  "+=",  "-=",  "*=", "/=", "%=", "&=", "|=", "^=",
      "?[",   "&",   "|",   "^",   "~",   "=",   "{",   ";",  "@",  "#",  "$",  "\\", "`"};
  static constexpr std::string_view kSupported[] = {
      "..<", "..", "?:", "==", "!=", "<=", ">=", "&&", "||", "(", ")", "[", "]",
      ",",   ".",  "?",  ":",  "+",  "-",  "*",  "/",  "%",  "<", ">", "!", "}"};
  // Longest match first across both tables.
  for (size_t len = 4; len >= 1; --len) {
    if (pos_ + len > s_.size()) continue;
    const std::string_view cand = s_.substr(pos_, len);
    for (std::string_view op : kUnsupported) {
      if (op == cand) {
        pos_ += len;
        tok.kind = TokenKind::Unsupported;
        tok.text = cand;
        return true;
      }
    }
    for (std::string_view op : kSupported) {
      if (op == cand) {
        pos_ += len;
        tok.kind = TokenKind::Op;
        tok.text = cand;
        return true;
      }
    }
  }
  tok.kind = TokenKind::Bad;
  tok.text = s_.substr(pos_, 1);
  return fail("unexpected character '" + std::string(tok.text) + "'", tok.off);
}

bool Lexer::lexString(char quote, Token& tok) {
  const size_t start = pos_;
  ++pos_;
  std::string value;
  while (true) {
    if (pos_ >= s_.size()) return fail("unterminated string literal", static_cast<int32_t>(start));
    const char c = s_[pos_];
    if (c == quote) {
      ++pos_;
      break;
    }
    if (c == '$' && quote == '"') {
      return fail("interpolation inside a string literal is unsupported",
                  static_cast<int32_t>(pos_));
    }
    if (c == '\\') {
      if (pos_ + 1 >= s_.size())
        return fail("unterminated string literal", static_cast<int32_t>(start));
      const char e = s_[pos_ + 1];
      pos_ += 2;
      switch (e) {
        case 'n':
          value.push_back('\n');
          break;
        case 't':
          value.push_back('\t');
          break;
        case 'r':
          value.push_back('\r');
          break;
        case 'b':
          value.push_back('\b');
          break;
        case 'f':
          value.push_back('\f');
          break;
        case '\\':
          value.push_back('\\');
          break;
        case '\'':
          value.push_back('\'');
          break;
        case '"':
          value.push_back('"');
          break;
        case '$':
          value.push_back('$');
          break;
        case 'u': {
          uint32_t cp = 0;
          for (int k = 0; k < 4; ++k) {
            if (pos_ >= s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[pos_]))) {
              return fail("bad \\u escape", static_cast<int32_t>(pos_));
            }
            const char h = s_[pos_++];
            cp = cp * 16 + static_cast<uint32_t>(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
          }
          java::appendUtf8(value, cp);
          break;
        }
        default:
          return fail(std::string("unsupported escape '\\") + e + "'",
                      static_cast<int32_t>(pos_ - 2));
      }
      continue;
    }
    value.push_back(c);
    ++pos_;
  }
  tok.kind = TokenKind::Str;
  tok.text = s_.substr(start, pos_ - start);
  tok.value = std::move(value);
  return true;
}

}  // namespace shardproxy::router::inline_expr
