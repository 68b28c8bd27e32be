// Private to src/router: the tokens of the Groovy code inside an inline expression's `${}` part.
// Groovy operators the parser does not support are tokens too, so its error can name them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace shardproxy::router::inline_expr {

enum class TokenKind : uint8_t { End, Num, Str, Ident, Op, Unsupported, Bad };

struct Token {
  TokenKind kind = TokenKind::End;
  int32_t off = 0;
  std::string_view text;  // the token as written
  std::string value;      // Str: decoded value
};

class Lexer {
 public:
  // `text` is the whole expression, so token offsets are offsets in it; it must outlive the lexer.
  explicit Lexer(std::string_view text) : s_(text) {}

  // Continues at `pos` (where a `${}` part's code starts).
  void seek(size_t pos) { pos_ = pos; }
  // Just past the last token read.
  size_t position() const { return pos_; }

  // Reads the next token into `tok`; false on a lexical error, then errorMessage() and
  // errorOffset() say what and where.
  bool next(Token& tok);

  const std::string& errorMessage() const { return err_; }
  int32_t errorOffset() const { return errOff_; }

 private:
  bool lexString(char quote, Token& tok);

  bool fail(std::string msg, int32_t off) {
    err_ = std::move(msg);
    errOff_ = off;
    return false;
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::string err_;
  int32_t errOff_ = 0;
};

}  // namespace shardproxy::router::inline_expr
