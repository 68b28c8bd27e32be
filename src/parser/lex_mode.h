// How a session's sql_mode changes the way SQL text is read: under ANSI_QUOTES "x" is an
// identifier, under NO_BACKSLASH_ESCAPES a backslash in a string is an ordinary character. The
// normalizer, the statement cache, the parser and whatever writes SQL text take it, so the proxy
// reads a statement exactly as the backend (which has the session's sql_mode) will.
#pragma once

#include <cstdint>
#include <string_view>

namespace shardproxy::parser {

struct LexMode {
  static constexpr uint8_t kAnsiQuotes = 1;
  static constexpr uint8_t kNoBackslashEscapes = 2;

  uint8_t bits = 0;  // the server's default: "x" is a string, backslashes escape

  constexpr bool ansiQuotes() const { return bits & kAnsiQuotes; }
  constexpr bool noBackslashEscapes() const { return bits & kNoBackslashEscapes; }
  constexpr bool isDefault() const { return bits == 0; }
  friend constexpr bool operator==(LexMode a, LexMode b) { return a.bits == b.bits; }

  // The flags of an sql_mode value as the server reports it (a comma-separated list, in any
  // case; the combination modes such as ANSI or ORACLE include ANSI_QUOTES).
  static LexMode ofSqlMode(std::string_view sqlMode);
};

}  // namespace shardproxy::parser
