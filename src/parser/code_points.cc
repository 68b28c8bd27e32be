#include "parser/code_points.h"

namespace shardproxy::parser {

std::u32string decodeCodePoints(std::string_view sql, std::vector<uint32_t>& byteOffset) {
  std::u32string out;
  out.reserve(sql.size());
  bool ascii = true;
  size_t i = 0;
  while (i < sql.size()) {
    size_t len = 1;
    const char32_t cp = codePointAt(sql, i, len);
    if (cp >= 0x80 && ascii) {
      ascii = false;
      // First non-ASCII code point: every earlier code point was one byte.
      byteOffset.reserve(sql.size() + 1);
      for (size_t k = 0; k < out.size(); ++k) {
        byteOffset.push_back(static_cast<uint32_t>(k));
      }
    }
    if (!ascii) {
      byteOffset.push_back(static_cast<uint32_t>(i));
    }
    out.push_back(cp);
    i += len;
  }
  if (!ascii) {
    byteOffset.push_back(static_cast<uint32_t>(sql.size()));
  }
  return out;
}

void appendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

void appendAsDecoded(std::string& out, std::string_view s) {
  out.reserve(out.size() + s.size());
  size_t i = 0;
  while (i < s.size()) {
    size_t len = 1;
    const char32_t cp = codePointAt(s, i, len);
    // Encoded afresh: what the decoder accepts is not always the canonical form (F5 80 80 is
    // read as U+5000).
    appendUtf8(out, cp);
    i += len;
  }
}

}  // namespace shardproxy::parser
