// Literal text as MySQL reads it, shared by the AST builder and the statement cache so both give
// a literal the same value.
#pragma once

#include <string>
#include <string_view>

namespace shardproxy::parser {

// Appends the value of a quoted string literal ('...' or "...", quotes included): doubled
// quotes and backslash escapes undone; \% and \_ keep their backslash (LIKE needs it). Under
// NO_BACKSLASH_ESCAPES a backslash is an ordinary character.
void appendUnescaped(std::string& out, std::string_view quoted, bool noBackslashEscapes = false);

}  // namespace shardproxy::parser
