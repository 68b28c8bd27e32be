// JSON string literals for what the proxy writes as JSON (log lines, the health endpoints):
// any bytes in, always valid JSON out.
#pragma once

#include <string>
#include <string_view>

namespace shardproxy {

// Appends `s` as a quoted JSON string. Well-formed UTF-8 is copied; '"', '\' and control
// characters are escaped. Text may hold any bytes (a statement in Latin-1, binary in a string
// literal): each byte that is not part of a well-formed UTF-8 sequence becomes \u00XX of the
// byte (read as Latin-1), as the parser's JSON does, so the line always parses.
void appendJsonString(std::string& out, std::string_view s);

inline std::string jsonString(std::string_view s) {
  std::string out;
  appendJsonString(out, s);
  return out;
}

}  // namespace shardproxy
