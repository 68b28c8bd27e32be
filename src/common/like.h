// SQL LIKE matching, shared by everything that filters names with MySQL patterns (SHOW ...
// LIKE, user host patterns).
#pragma once

#include <string_view>

namespace shardproxy {

// '%' matches any run, '_' one character, '\' makes the next character literal.
bool likeMatch(std::string_view text, std::string_view pattern, bool caseInsensitive);

}  // namespace shardproxy
