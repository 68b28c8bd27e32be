// Statement text as ANTLR reads it: code points, decoded here rather than by the runtime, whose
// own UTF-8 conversion throws on invalid input while clients may send any bytes. Shared by the
// MySQL parser and the DistSQL parser (admin/distsql/).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shardproxy::parser {

// Decodes `sql`. Invalid UTF-8 bytes become the Latin-1 code point of the byte, so the text still
// lexes and every code point maps back to one byte offset. Fills `byteOffset` (code point index
// -> byte offset, plus an end sentinel) only when the text is not plain ASCII.
std::u32string decodeCodePoints(std::string_view sql, std::vector<uint32_t>& byteOffset);

// The code point at `s[i]` as decodeCodePoints() reads it, and its length in bytes (1 for an
// invalid byte, which is its Latin-1 code point).
inline char32_t codePointAt(std::string_view s, size_t i, size_t& len) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  len = 1;
  if (c < 0x80) return c;
  size_t need = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
  if (need == 0 || i + need > s.size()) return c;
  char32_t v = c & (need == 2 ? 0x1F : need == 3 ? 0x0F : 0x07);
  for (size_t k = 1; k < need; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return c;
    v = (v << 6) | (byte(i + k) & 0x3F);
  }
  bool overlong = (need == 3 && v < 0x800) || (need == 4 && v < 0x10000);
  if (overlong || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return c;
  len = need;
  return v;
}

// Appends code point `cp` as UTF-8 (a lone surrogate gets the three bytes of its code point).
void appendUtf8(std::string& out, char32_t cp);

// Appends `s` as the parser gives its text back: the UTF-8 of the code points decodeCodePoints()
// read (an invalid byte is the UTF-8 of its Latin-1 code point).
void appendAsDecoded(std::string& out, std::string_view s);

// The byte offset of the code point at `index` (ANTLR token offsets count code points) in a text
// of `size` bytes that decodeCodePoints() gave `byteOffset`; `size` past the end.
inline size_t byteOffsetOf(size_t index, const std::vector<uint32_t>& byteOffset, size_t size) {
  if (byteOffset.empty()) return index < size ? index : size;
  return index < byteOffset.size() ? byteOffset[index] : size;
}

}  // namespace shardproxy::parser
