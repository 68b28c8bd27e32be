// Writing values and names into SQL text the proxy sends to backends.
#pragma once

#include <string>
#include <string_view>

namespace shardproxy {

// A quoted string literal of `value`: quotes doubled; with backslash escapes on (the server's
// default), backslashes and NUL escaped too.
std::string quoteString(std::string_view value, bool noBackslashEscapes);

// `name` backquoted, backquotes inside doubled.
std::string quoteIdentifier(std::string_view name);

// `s` with ASCII letters in upper case (keywords and information_schema's names).
std::string upperAscii(std::string_view s);

}  // namespace shardproxy
