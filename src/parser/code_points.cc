#include "parser/code_points.h"

namespace shardproxy::parser {

std::u32string decodeCodePoints(std::string_view sql, std::vector<uint32_t>& byteOffset) {
  std::u32string out;
  out.reserve(sql.size());
  bool ascii = true;
  size_t i = 0;
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(sql[k]); };
  while (i < sql.size()) {
    unsigned char c = byte(i);
    char32_t cp = c;
    size_t len = 1;
    if (c >= 0x80) {
      ascii = false;
      size_t need = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
      if (need != 0 && i + need <= sql.size()) {
        char32_t v = c & (need == 2 ? 0x1F : need == 3 ? 0x0F : 0x07);
        bool ok = true;
        for (size_t k = 1; k < need; ++k) {
          if ((byte(i + k) & 0xC0) != 0x80) {
            ok = false;
            break;
          }
          v = (v << 6) | (byte(i + k) & 0x3F);
        }
        bool overlong = (need == 3 && v < 0x800) || (need == 4 && v < 0x10000);
        if (ok && !overlong && v <= 0x10FFFF && !(v >= 0xD800 && v <= 0xDFFF)) {
          cp = v;
          len = need;
        }
      }
    }
    if (!ascii && byteOffset.empty()) {
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

}  // namespace shardproxy::parser
