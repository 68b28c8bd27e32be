#include "common/sql_text.h"

#include <cctype>

namespace shardproxy {

std::string quoteString(std::string_view value, bool noBackslashEscapes) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') {
      out += "''";
    } else if (c == '\\' && !noBackslashEscapes) {
      out += "\\\\";
    } else if (c == '\0' && !noBackslashEscapes) {
      out += "\\0";
    } else {
      out.push_back(c);
    }
  }
  out.push_back('\'');
  return out;
}

std::string quoteIdentifier(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out.push_back('`');
    out.push_back(c);
  }
  out += "`";
  return out;
}

std::string upperAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace shardproxy
