#include "parser/normalizer.h"

#include <strings.h>

#include <algorithm>

#include "parser/parser.h"

namespace shardproxy::parser {

namespace {

inline bool isIdentChar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || c >= 0x80;
}
inline bool isDigit(unsigned char c) { return c >= '0' && c <= '9'; }
inline bool isHex(unsigned char c) {
  return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
inline bool isSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool wordIs(std::string_view w, const char* kw) {
  size_t n = std::char_traits<char>::length(kw);
  return w.size() == n && strncasecmp(w.data(), kw, n) == 0;
}

// Ends a quoted token that starts at s[i] (the quote); returns the index after the closing
// quote, or npos when unterminated. Backslash escapes apply to strings, not to identifiers.
size_t skipQuoted(std::string_view s, size_t i, bool backslashEscapes) {
  char q = s[i];
  for (size_t j = i + 1; j < s.size(); ++j) {
    char c = s[j];
    if (c == '\\' && backslashEscapes) {
      ++j;
    } else if (c == q) {
      if (j + 1 < s.size() && s[j + 1] == q) {
        ++j;  // doubled quote
      } else {
        return j + 1;
      }
    }
  }
  return std::string_view::npos;
}

// `--` starts a comment when followed by whitespace or a control character (the server's
// my_isspace / my_iscntrl), or at the end of the text.
inline bool startsDashComment(std::string_view s, size_t i) {
  if (i + 1 >= s.size() || s[i] != '-' || s[i + 1] != '-') return false;
  if (i + 2 >= s.size()) return true;
  unsigned char c = static_cast<unsigned char>(s[i + 2]);
  return c <= 0x20 || c == 0x7f;
}

class Tokenizer {
 public:
  Tokenizer(std::string_view sql, Normalized& out, LexMode mode)
      : s_(sql), out_(out), escapes_(!mode.noBackslashEscapes()), ansiQuotes_(mode.ansiQuotes()) {}

  bool run() {
    out_.key.clear();
    out_.literals.clear();
    out_.parameterMarkers = 0;
    // The key is the text less its literals: as long as the text for most statements, far
    // shorter for one with a long string (which would otherwise reserve its size again).
    out_.key.reserve(std::min<size_t>(s_.size(), 64 * 1024) + 8);
    out_.literals.reserve(16);
    size_t i = 0;
    while (i < s_.size()) {
      unsigned char c = static_cast<unsigned char>(s_[i]);
      if (isSpace(c)) {
        ++i;
        continue;
      }
      if (c == '#') {
        i = lineEnd(i);
        continue;
      }
      if (c == '-' && startsDashComment(s_, i)) {
        i = lineEnd(i + 2);
        continue;
      }
      if (c == '/' && i + 1 < s_.size() && s_[i + 1] == '*') {
        if (!comment(i)) return false;
        continue;
      }
      if (c == '*' && inExecutable_ && i + 1 < s_.size() && s_[i + 1] == '/') {
        inExecutable_ = false;  // end of /*! ... */
        i += 2;
        continue;
      }
      if (c == '\'' || (c == '"' && !ansiQuotes_)) {
        size_t end = skipQuoted(s_, i, escapes_);
        if (end == std::string_view::npos) return false;
        literal(NormalizedLiteral::Kind::kString, i, end);
        i = end;
        continue;
      }
      if (c == '`' || c == '"') {  // "x" under ANSI_QUOTES
        size_t end = skipQuoted(s_, i, false);
        if (end == std::string_view::npos) return false;
        token(i, end);
        i = end;
        continue;
      }
      if (c == '?') {
        if (bounds_) bounds_->emplace_back(static_cast<uint32_t>(i), static_cast<uint32_t>(i + 1));
        emit(":?");
        ++out_.parameterMarkers;
        ++i;
        continue;
      }
      if (c == '@') {
        i = variable(i);
        continue;
      }
      if (isDigit(c) || (c == '.' && i + 1 < s_.size() && isDigit(s_[i + 1]) && !afterName(i))) {
        i = number(i);
        continue;
      }
      if (isIdentChar(c)) {
        if (!word(i)) return false;
        continue;
      }
      i = symbol(i);
    }
    if (inExecutable_) return false;
    if (!out_.key.empty()) out_.key.pop_back();  // trailing space
    return true;
  }

 private:
  // The server ends a line comment at '\n' (not at '\r') or at a NUL byte, which it then reads as
  // a token of its own.
  size_t lineEnd(size_t i) const {
    for (; i < s_.size(); ++i) {
      if (s_[i] == '\n') return i + 1;
      if (s_[i] == '\0') return i;
    }
    return s_.size();
  }

  // /* ... */, /*! ... */, /*!NNNNN ... */, /*+ ... */ and the SHARDINGSPHERE_HINT comment.
  bool comment(size_t& i) {
    // /*! and MariaDB's /*M!: the content is SQL unless the version is above the server's
    // (parser.h), then the whole is a comment, as the parser sees it.
    size_t bang = i + 2;
    if (bang < s_.size() && (s_[bang] == 'M' || s_[bang] == 'm') && bang + 1 < s_.size() &&
        s_[bang + 1] == '!') {
      ++bang;
    }
    if (bang < s_.size() && s_[bang] == '!') {
      if (inExecutable_) return false;  // MySQL does not nest them either
      size_t j = bang + 1;
      uint32_t version = 0;
      while (j < s_.size() && isDigit(s_[j]) && j - bang - 1 < 6) {
        version = version * 10 + static_cast<uint32_t>(s_[j] - '0');
        ++j;
      }
      if (versionRuns(version, j - bang - 1, bang > i + 2)) {
        inExecutable_ = true;
        i = j;
        return true;
      }
    }
    size_t end = s_.find("*/", i + 2);
    if (end == std::string_view::npos) return false;
    end += 2;
    std::string_view body = s_.substr(i + 2, end - i - 4);
    size_t k = 0;
    while (k < body.size() && isSpace(static_cast<unsigned char>(body[k]))) ++k;
    bool hint =
        (!body.empty() && body[0] == '+') || body.substr(k).rfind("SHARDINGSPHERE_HINT:", 0) == 0;
    if (hint) token(i, end);
    i = end;
    return true;
  }

  size_t variable(size_t i) {
    size_t j = i + 1;
    if (j < s_.size() && s_[j] == '@') ++j;  // system variable
    if (j < s_.size() && (s_[j] == '\'' || s_[j] == '"' || s_[j] == '`')) {
      size_t end = skipQuoted(s_, j, escapes_ && quotesString(s_[j]));
      j = end == std::string_view::npos ? s_.size() : end;
    } else {
      while (j < s_.size() && (isIdentChar(static_cast<unsigned char>(s_[j])) || s_[j] == '.')) ++j;
    }
    token(i, j);
    return j;
  }

  size_t number(size_t i) {
    size_t j = i;
    // 0x1F and 0b101 (unless followed by identifier characters, then it is a name)
    if (s_[i] == '0' && i + 1 < s_.size() && (s_[i + 1] == 'x' || s_[i + 1] == 'b')) {
      bool hex = s_[i + 1] == 'x';
      size_t k = i + 2;
      while (k < s_.size() && (hex ? isHex(s_[k]) : (s_[k] == '0' || s_[k] == '1'))) ++k;
      if (k > i + 2 && (k == s_.size() || !isIdentChar(static_cast<unsigned char>(s_[k])))) {
        literal(hex ? NormalizedLiteral::Kind::kHexString : NormalizedLiteral::Kind::kBitString, i,
                k);
        return k;
      }
    }
    while (j < s_.size() && isDigit(s_[j])) ++j;
    if (j < s_.size() && s_[j] == '.') {
      ++j;
      while (j < s_.size() && isDigit(s_[j])) ++j;
    }
    if (j < s_.size() && (s_[j] == 'e' || s_[j] == 'E')) {
      size_t k = j + 1;
      if (k < s_.size() && (s_[k] == '+' || s_[k] == '-')) ++k;
      if (k < s_.size() && isDigit(s_[k])) {
        j = k;
        while (j < s_.size() && isDigit(s_[j])) ++j;
      }
    }
    if (j < s_.size() && isIdentChar(static_cast<unsigned char>(s_[j])) && s_[i] != '.') {
      // Digits followed by letters: an identifier such as 1st_column.
      size_t k = j;
      while (k < s_.size() && isIdentChar(static_cast<unsigned char>(s_[k]))) ++k;
      token(i, k);
      prevWord_ = s_.substr(i, k - i);
      return k;
    }
    // Positions in ORDER BY / GROUP BY change the meaning: they stay in the key.
    if (byListDepth_ == depth_) {
      token(i, j);
    } else {
      literal(NormalizedLiteral::Kind::kNumber, i, j);
    }
    return j;
  }

  bool word(size_t& i) {
    size_t j = i;
    while (j < s_.size() && isIdentChar(static_cast<unsigned char>(s_[j]))) ++j;
    std::string_view w = s_.substr(i, j - i);
    // X'..', B'..', N'..' and _charset'..' literals.
    if (j < s_.size() && s_[j] == '\'') {
      if (w.size() == 1 && (w[0] == 'x' || w[0] == 'X' || w[0] == 'b' || w[0] == 'B')) {
        size_t end = skipQuoted(s_, j, false);
        if (end == std::string_view::npos) return false;
        literal(w[0] == 'x' || w[0] == 'X' ? NormalizedLiteral::Kind::kHexString
                                           : NormalizedLiteral::Kind::kBitString,
                i, end);
        i = end;
        return true;
      }
      if ((w.size() == 1 && (w[0] == 'n' || w[0] == 'N')) || (w.size() > 1 && w[0] == '_')) {
        // The introducer or N is part of the literal: it sets the character set.
        size_t end = skipQuoted(s_, j, escapes_);
        if (end == std::string_view::npos) return false;
        token(i, j);
        literal(NormalizedLiteral::Kind::kString, j, end);
        i = end;
        return true;
      }
    }
    token(i, j);
    if ((wordIs(w, "BY")) && (wordIs(prevWord_, "ORDER") || wordIs(prevWord_, "GROUP"))) {
      byListDepth_ = depth_;
    } else if (byListDepth_ == depth_ &&
               (wordIs(w, "LIMIT") || wordIs(w, "HAVING") || wordIs(w, "WINDOW") ||
                wordIs(w, "UNION") || wordIs(w, "INTERSECT") || wordIs(w, "EXCEPT") ||
                wordIs(w, "FOR") || wordIs(w, "LOCK") || wordIs(w, "INTO") || wordIs(w, "WITH"))) {
      byListDepth_ = -1;
    }
    prevWord_ = w;
    i = j;
    return true;
  }

  size_t symbol(size_t i) {
    char c = s_[i];
    auto next = [&](size_t k) { return i + k < s_.size() ? s_[i + k] : '\0'; };
    size_t len = 1;
    switch (c) {
      case '<':  // <=> <= <> <<
        if (next(1) == '=' && next(2) == '>') {
          len = 3;
        } else if (next(1) == '=' || next(1) == '>' || next(1) == '<') {
          len = 2;
        }
        break;
      case '>':  // >= >>
        if (next(1) == '=' || next(1) == '>') len = 2;
        break;
      case '-':  // -> ->>
        if (next(1) == '>') len = next(2) == '>' ? 3 : 2;
        break;
      case '!':
      case ':':
        if (next(1) == '=') len = 2;
        break;
      case '&':
      case '|':
        if (next(1) == c) len = 2;
        break;
      case '(':
        ++depth_;
        break;
      case ')':
        if (byListDepth_ == depth_) byListDepth_ = -1;
        --depth_;
        break;
      case ';':
        byListDepth_ = -1;
        break;
      default:
        break;
    }
    token(i, i + len);
    return i + len;
  }

  // A '.' written right after a name or `quoted name` qualifies it (t.5 is column 5 of t);
  // elsewhere .5 is a number.
  bool afterName(size_t i) const {
    if (i == 0) return false;
    unsigned char p = static_cast<unsigned char>(s_[i - 1]);
    return isIdentChar(p) || p == '`' || (p == '"' && ansiQuotes_);
  }

  // Whether a quote character starts a string (rather than a quoted name) in this mode.
  bool quotesString(char q) const { return q == '\'' || (q == '"' && !ansiQuotes_); }

  void token(size_t b, size_t e) {
    if (bounds_) bounds_->emplace_back(static_cast<uint32_t>(b), static_cast<uint32_t>(e));
    out_.key.append(s_.data() + b, e - b);
    out_.key.push_back(' ');
    if (b < e && !isIdentChar(static_cast<unsigned char>(s_[b]))) prevWord_ = {};
  }
  void emit(std::string_view text) {
    out_.key.append(text);
    out_.key.push_back(' ');
  }
  void literal(NormalizedLiteral::Kind kind, size_t b, size_t e) {
    if (bounds_) bounds_->emplace_back(static_cast<uint32_t>(b), static_cast<uint32_t>(e));
    out_.literals.push_back({kind, b, e});
    emit("?");
    prevWord_ = {};
  }

  std::string_view s_;
  Normalized& out_;
  std::string_view prevWord_;
  int depth_ = 0;
  int byListDepth_ = -1;  // paren depth of the ORDER BY / GROUP BY list being read, or -1
  bool inExecutable_ = false;
  const bool escapes_;     // backslash escapes in strings (not NO_BACKSLASH_ESCAPES)
  const bool ansiQuotes_;  // "x" is a name (ANSI_QUOTES)

 public:
  std::vector<std::pair<uint32_t, uint32_t>>* bounds_ = nullptr;  // tokenBounds(): where tokens are
};

}  // namespace

bool normalize(std::string_view sql, Normalized& out, LexMode mode) {
  return Tokenizer(sql, out, mode).run();
}

bool tokenBounds(std::string_view sql, std::vector<std::pair<uint32_t, uint32_t>>& out,
                 LexMode mode) {
  Normalized n;
  Tokenizer t(sql, n, mode);
  t.bounds_ = &out;
  return t.run();
}

bool lexesAlike(std::string_view sql, LexMode a, LexMode b) {
  if (a == b) return true;
  // A backslash in a string means one thing with escapes and another without, whatever the
  // tokens are ('a\nb' is three characters or four).
  if (a.noBackslashEscapes() != b.noBackslashEscapes() &&
      sql.find('\\') != std::string_view::npos) {
    return false;
  }
  Normalized na;
  Normalized nb;
  std::vector<std::pair<uint32_t, uint32_t>> ba;
  std::vector<std::pair<uint32_t, uint32_t>> bb;
  Tokenizer ta(sql, na, a);
  Tokenizer tb(sql, nb, b);
  ta.bounds_ = &ba;
  tb.bounds_ = &bb;
  // The same token ranges, and the same literals among them (a "x" may be a string in one mode
  // and a name in the other, over the same bytes).
  return ta.run() && tb.run() && ba == bb && na.key == nb.key;
}

}  // namespace shardproxy::parser

namespace shardproxy::parser {

std::vector<std::string_view> splitStatements(std::string_view sql, LexMode mode) {
  std::vector<std::pair<uint32_t, uint32_t>> bounds;
  // Where the tokenizer stops (an unterminated string), the statements before are still
  // statements, run before the server reports the error, as it does; the rest is one piece.
  const bool readable = tokenBounds(sql, bounds, mode);
  std::vector<std::string_view> out;
  size_t begin = 0;
  bool tokens = false;  // the current piece has a token
  for (const auto& [b, e] : bounds) {
    if (e - b == 1 && sql[b] == ';') {
      out.push_back(sql.substr(begin, e - begin));
      begin = e;
      tokens = false;
    } else {
      tokens = true;
    }
  }
  // What follows the last `;` is a statement only if it has a token (comments and whitespace
  // after the last statement are not one).
  if (tokens || out.empty() || !readable) out.push_back(sql.substr(begin));
  return out;
}

}  // namespace shardproxy::parser

namespace shardproxy::parser {

LexMode LexMode::ofSqlMode(std::string_view sqlMode) {
  LexMode mode;
  size_t pos = 0;
  while (pos <= sqlMode.size()) {
    size_t comma = sqlMode.find(',', pos);
    if (comma == std::string_view::npos) comma = sqlMode.size();
    std::string_view flag = sqlMode.substr(pos, comma - pos);
    while (!flag.empty() && isSpace(static_cast<unsigned char>(flag.front())))
      flag.remove_prefix(1);
    while (!flag.empty() && isSpace(static_cast<unsigned char>(flag.back()))) flag.remove_suffix(1);
    if (wordIs(flag, "NO_BACKSLASH_ESCAPES")) {
      mode.bits |= kNoBackslashEscapes;
    } else if (wordIs(flag, "ANSI_QUOTES") || wordIs(flag, "ANSI") || wordIs(flag, "ORACLE") ||
               wordIs(flag, "MSSQL") || wordIs(flag, "DB2") || wordIs(flag, "POSTGRESQL") ||
               wordIs(flag, "MAXDB")) {
      // The combination modes include ANSI_QUOTES (the server reports them expanded anyway).
      mode.bits |= kAnsiQuotes;
    }
    pos = comma + 1;
  }
  return mode;
}

}  // namespace shardproxy::parser
