#include "parser/normalizer.h"

#include <strings.h>

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

class Tokenizer {
 public:
  Tokenizer(std::string_view sql, Normalized& out) : s_(sql), out_(out) {}

  bool run() {
    out_.key.clear();
    out_.literals.clear();
    out_.parameterMarkers = 0;
    out_.key.reserve(s_.size() + 8);
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
      if (c == '-' && i + 1 < s_.size() && s_[i + 1] == '-' &&
          (i + 2 >= s_.size() || isSpace(static_cast<unsigned char>(s_[i + 2])) ||
           static_cast<unsigned char>(s_[i + 2]) < 0x20)) {
        i = lineEnd(i);
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
      if (c == '\'' || c == '"') {
        size_t end = skipQuoted(s_, i, true);
        if (end == std::string_view::npos) return false;
        literal(NormalizedLiteral::Kind::kString, i, end);
        i = end;
        continue;
      }
      if (c == '`') {
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
  size_t lineEnd(size_t i) const {
    size_t e = s_.find('\n', i);
    return e == std::string_view::npos ? s_.size() : e + 1;
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
      size_t end = skipQuoted(s_, j, s_[j] != '`');
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
        size_t end = skipQuoted(s_, j, true);
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
    return isIdentChar(p) || p == '`';
  }

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

 public:
  std::vector<std::pair<uint32_t, uint32_t>>* bounds_ = nullptr;  // tokenBounds(): where tokens are
};

}  // namespace

bool normalize(std::string_view sql, Normalized& out) { return Tokenizer(sql, out).run(); }

bool tokenBounds(std::string_view sql, std::vector<std::pair<uint32_t, uint32_t>>& out) {
  Normalized n;
  Tokenizer t(sql, n);
  t.bounds_ = &out;
  return t.run();
}

}  // namespace shardproxy::parser

namespace shardproxy::parser {

std::vector<std::string_view> splitStatements(std::string_view sql) {
  std::vector<std::pair<uint32_t, uint32_t>> bounds;
  if (!tokenBounds(sql, bounds)) return {sql};
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
  if (tokens || out.empty()) out.push_back(sql.substr(begin));
  return out;
}

}  // namespace shardproxy::parser
