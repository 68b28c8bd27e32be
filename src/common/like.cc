#include "common/like.h"

#include <cctype>

namespace shardproxy {

bool likeMatch(std::string_view text, std::string_view pattern, bool caseInsensitive) {
  auto same = [caseInsensitive](char a, char b) {
    if (!caseInsensitive) return a == b;
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  };
  // Greedy with one backtrack point (the last '%'), which is enough for LIKE.
  size_t t = 0, p = 0, starP = std::string_view::npos, starT = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '%') {
      starP = p++;
      starT = t;
      continue;
    }
    if (p < pattern.size()) {
      if (pattern[p] == '_') {
        ++p;
        ++t;
        continue;
      }
      size_t literal = (pattern[p] == '\\' && p + 1 < pattern.size()) ? p + 1 : p;
      if (same(pattern[literal], text[t])) {
        p = literal + 1;
        ++t;
        continue;
      }
    }
    if (starP == std::string_view::npos) return false;
    p = starP + 1;
    t = ++starT;
  }
  while (p < pattern.size() && pattern[p] == '%') ++p;
  return p == pattern.size();
}

}  // namespace shardproxy
