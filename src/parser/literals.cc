#include "parser/literals.h"

#include <algorithm>

namespace shardproxy::parser {

void appendUnescaped(std::string& out, std::string_view quoted, bool noBackslashEscapes) {
  if (quoted.size() < 2) {
    return;
  }
  char quote = quoted.front();
  std::string_view body = quoted.substr(1, quoted.size() - 2);
  // The value is at most the body's length: one allocation for a long literal, rather than
  // doublings that copy it each time and may hold twice its size (still doubling when parts of
  // a concatenation come one by one).
  if (out.capacity() - out.size() < body.size()) {
    out.reserve(std::max(out.size() + body.size(), 2 * out.capacity()));
  }
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == quote && i + 1 < body.size() && body[i + 1] == quote) {
      out += quote;
      ++i;
    } else if (c == '\\' && !noBackslashEscapes && i + 1 < body.size()) {
      char n = body[++i];
      switch (n) {
        case '0':
          out += '\0';
          break;
        case 'b':
          out += '\b';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'Z':
          out += '\x1A';
          break;
        case '%':
          out += "\\%";
          break;
        case '_':
          out += "\\_";
          break;
        default:
          out += n;
          break;
      }
    } else {
      out += c;
    }
  }
}

}  // namespace shardproxy::parser
