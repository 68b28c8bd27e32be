#include "parser/literals.h"

namespace shardproxy::parser {

void appendUnescaped(std::string& out, std::string_view quoted, bool noBackslashEscapes) {
  if (quoted.size() < 2) {
    return;
  }
  char quote = quoted.front();
  std::string_view body = quoted.substr(1, quoted.size() - 2);
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
