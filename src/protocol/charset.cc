#include "protocol/charset.h"

#include <strings.h>

namespace shardproxy::protocol {

namespace {
// The collations clients announce in practice. MySQL 8 clients default to 255
// (utf8mb4_0900_ai_ci), which MariaDB does not have: it maps to utf8mb4_general_ci.
constexpr Collation kCollations[] = {
    {1, "big5", "big5_chinese_ci"},
    {8, "latin1", "latin1_swedish_ci"},
    {9, "latin2", "latin2_general_ci"},
    {11, "ascii", "ascii_general_ci"},
    {24, "gb2312", "gb2312_chinese_ci"},
    {28, "gbk", "gbk_chinese_ci"},
    {33, "utf8mb3", "utf8mb3_general_ci"},
    {45, "utf8mb4", "utf8mb4_general_ci"},
    {46, "utf8mb4", "utf8mb4_bin"},
    {47, "latin1", "latin1_bin"},
    {48, "latin1", "latin1_general_ci"},
    {63, "binary", "binary"},
    {65, "ascii", "ascii_bin"},
    {83, "utf8mb3", "utf8mb3_bin"},
    {87, "gbk", "gbk_bin"},
    {192, "utf8mb3", "utf8mb3_unicode_ci"},
    {224, "utf8mb4", "utf8mb4_unicode_ci"},
    {246, "utf8mb4", "utf8mb4_unicode_520_ci"},
    {248, "gb18030", "gb18030_chinese_ci"},
    {255, "utf8mb4", "utf8mb4_general_ci"},
};
}  // namespace

std::optional<Collation> collationById(uint16_t id) {
  for (const auto& c : kCollations) {
    if (c.id == id) return c;
  }
  return std::nullopt;
}

std::optional<Collation> collationByName(std::string_view name) {
  for (const auto& c : kCollations) {
    if (c.name.size() == name.size() && strncasecmp(c.name.data(), name.data(), name.size()) == 0) {
      return c;
    }
  }
  return std::nullopt;
}

unsigned maxBytesPerChar(std::string_view charset) {
  if (charset == "utf8mb4" || charset == "utf16" || charset == "utf16le" || charset == "utf32" ||
      charset == "gb18030") {
    return 4;
  }
  if (charset == "utf8" || charset == "utf8mb3" || charset == "ujis" || charset == "eucjpms") {
    return 3;
  }
  if (charset == "ucs2" || charset == "big5" || charset == "gbk" || charset == "sjis" ||
      charset == "cp932" || charset == "euckr" || charset == "gb2312") {
    return 2;
  }
  return 1;
}

}  // namespace shardproxy::protocol
